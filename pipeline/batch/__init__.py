"""Run machinery: reading inputs, the batch runner, the engines that spread work over processes."""
