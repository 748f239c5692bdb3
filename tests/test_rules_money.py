"""MONEY grammar (pipeline.stages.money): amounts with a currency.

Each case: a text and the MONEY records expected in it, as
(span, value, value_max, unit, qualifier); the currency word or sign is
inside the span, the unit is the ISO 4217 code.
"""

import pytest

from .test_rules_numbers import mentions


def record(mention):
    return (mention.text, mention.value, mention.value_max, mention.unit, mention.qualifier)


CASES = [
    # GOLD-GUIDE.md, MONEY
    ('школьники получают заработную плату от 10 тысяч рублей и выше',
     [('от 10 тысяч рублей', 10000, None, 'RUB', 'gte')]),
    ('Компания получила 5 млн долларов, а через год — 7 млн.',
     [('5 млн долларов', 5e6, None, 'USD', None), ('7 млн', 7e6, None, 'USD', None)]),

    # roubles
    ('Стоимость билета 500 рублей', [('500 рублей', 500, None, 'RUB', None)]),
    ('цена 2 рубля', [('2 рубля', 2, None, 'RUB', None)]),
    ('за 1 рубль', [('1 рубль', 1, None, 'RUB', None)]),
    ('оплата 10 000 руб. в месяц', [('10 000 руб.', 10000, None, 'RUB', None)]),
    ('всего 300 р. за вход', [('300 р.', 300, None, 'RUB', None)]),
    ('цена 100 ₽', [('100 ₽', 100, None, 'RUB', None)]),
    ('цена 100₽', [('100₽', 100, None, 'RUB', None)]),
    ('Бюджет составит 3,5 млрд рублей', [('3,5 млрд рублей', 3.5e9, None, 'RUB', None)]),
    ('выделено 1,2 млн руб.', [('1,2 млн руб.', 1.2e6, None, 'RUB', None)]),
    ('на сумму 15 тыс. руб.', [('15 тыс. руб.', 15000, None, 'RUB', None)]),
    ('Он потратил двести пятьдесят рублей', [('двести пятьдесят рублей', 250, None, 'RUB', None)]),
    ('пять миллионов рублей', [('пять миллионов рублей', 5e6, None, 'RUB', None)]),
    ('миллион рублей', [('миллион рублей', 1e6, None, 'RUB', None)]),
    ('более тысячи рублей', [('более тысячи рублей', 1000, None, 'RUB', 'gt')]),
    ('5 рублей 50 копеек', [('5 рублей 50 копеек', 5.5, None, 'RUB', None)]),
    ('10 белорусских рублей', [('10 белорусских рублей', 10, None, 'BYN', None)]),
    ('из бюджета выделили 1,5 млрд, из них 1,2 млрд рублей на ремонт',
     [('1,2 млрд рублей', 1.2e9, None, 'RUB', None)]),             # the currency reaches forward only
    ('Компания получила 5 млн долларов. Через год в ней работало 7 млн человек.',
     [('5 млн долларов', 5e6, None, 'USD', None)]),                 # not into the next sentence
    ('Грант — 5 млн рублей на 300 школ', [('5 млн рублей', 5e6, None, 'RUB', None)]),

    # other currencies
    ('$3 млн', [('$3 млн', 3e6, None, 'USD', None)]),
    ('3 млн долларов', [('3 млн долларов', 3e6, None, 'USD', None)]),
    ('2 млрд долл. США', [('2 млрд долл. США', 2e9, None, 'USD', None)]),
    ('50 долларов США', [('50 долларов США', 50, None, 'USD', None)]),
    ('100 американских долларов', [('100 американских долларов', 100, None, 'USD', None)]),
    ('5 млн евро', [('5 млн евро', 5e6, None, 'EUR', None)]),
    ('€5 млн', [('€5 млн', 5e6, None, 'EUR', None)]),
    ('100 €', [('100 €', 100, None, 'EUR', None)]),
    ('500 тыс. юаней', [('500 тыс. юаней', 500000, None, 'CNY', None)]),
    ('10 млн фунтов стерлингов', [('10 млн фунтов стерлингов', 1e7, None, 'GBP', None)]),
    ('£20', [('£20', 20, None, 'GBP', None)]),
    ('1000 тенге', [('1000 тенге', 1000, None, 'KZT', None)]),
    ('200 швейцарских франков', [('200 швейцарских франков', 200, None, 'CHF', None)]),
    ('300 гривен', [('300 гривен', 300, None, 'UAH', None)]),

    # qualifiers and ranges
    ('ориентировочно 5 млн рублей', [('ориентировочно 5 млн рублей', 5e6, None, 'RUB', 'approx')]),
    ('стоимость составит порядка 5 млн рублей', [('порядка 5 млн рублей', 5e6, None, 'RUB', 'approx')]),
    ('приблизительно в 2 млрд рублей', [('приблизительно в 2 млрд рублей', 2e9, None, 'RUB', 'approx')]),
    ('примерно $3 млн', [('примерно $3 млн', 3e6, None, 'USD', 'approx')]),
    ('около 3-х тысяч рублей', [('около 3-х тысяч рублей', 3000, None, 'RUB', 'approx')]),
    ('от 2-х до 5-ти тысяч рублей', [('от 2-х до 5-ти тысяч рублей', 2000, 5000, 'RUB', None)]),
    ('около 5 млн рублей', [('около 5 млн рублей', 5e6, None, 'RUB', 'approx')]),
    ('свыше 100 тыс. рублей', [('свыше 100 тыс. рублей', 100000, None, 'RUB', 'gt')]),
    ('не менее 20 тысяч рублей', [('не менее 20 тысяч рублей', 20000, None, 'RUB', 'gte')]),
    ('до 50 тысяч рублей', [('до 50 тысяч рублей', 50000, None, 'RUB', 'lte')]),
    ('менее 1 млн долларов', [('менее 1 млн долларов', 1e6, None, 'USD', 'lt')]),
    ('более $3 млн', [('более $3 млн', 3e6, None, 'USD', 'gt')]),
    ('От 10 до 15 тыс. рублей', [('От 10 до 15 тыс. рублей', 10000, 15000, 'RUB', None)]),
    ('10–15 млн руб.', [('10–15 млн руб.', 1e7, 1.5e7, 'RUB', None)]),
    ('$3–5 млн', [('$3–5 млн', 3e6, 5e6, 'USD', None)]),
    ('от 500 тысяч до 1 млн рублей', [('от 500 тысяч до 1 млн рублей', 500000, 1e6, 'RUB', None)]),

    # issue 19 (sentences written for it): the currency given once for a range or a list
    ('Квартиры продают в 300–450 тысяч евро.', [('300–450 тысяч евро', 3e5, 4.5e5, 'EUR', None)]),
    ('Клуб заплатил 10 миллионов евро, оценка 1,5–2 миллиона.',
     [('10 миллионов евро', 1e7, None, 'EUR', None), ('1,5–2 миллиона', 1.5e6, 2e6, 'EUR', None)]),
    ('Штрафы составят 100, 200 и 300 тысяч рублей.',
     [('100', 1e5, None, 'RUB', None), ('200', 2e5, None, 'RUB', None),
      ('300 тысяч рублей', 3e5, None, 'RUB', None)]),
    ('Билет стоит 5 или 7 евро', [('5', 5, None, 'EUR', None), ('7 евро', 7, None, 'EUR', None)]),
    # compound amounts are one amount
    ('Сделка стоила 3 миллиарда 700 миллионов рублей.',
     [('3 миллиарда 700 миллионов рублей', 3.7e9, None, 'RUB', None)]),
    ('На ремонт ушло 2 млн 300 тыс. рублей', [('2 млн 300 тыс. рублей', 2.3e6, None, 'RUB', None)]),
    ('около 1 млрд 200 млн долларов', [('около 1 млрд 200 млн долларов', 1.2e9, None, 'USD', 'approx')]),
]


@pytest.mark.parametrize('text, expected', CASES)
def test_money_values(res, text, expected):
    found = [record(_) for _ in mentions(text, res, 'MONEY')]
    assert found == [(span, pytest.approx(value), None if top is None else pytest.approx(top), unit,
                      qualifier)
                     for span, value, top, unit, qualifier in expected]


NOT_MONEY = [
    'рублей не хватает',                         # the currency word alone
    'курс доллара вырос',
    'тысячи рублей',                             # vague
    'сотни тысяч долларов',
    'несколько миллионов рублей',
    '5 млн человек',                             # a number, not money
    'за рубль',
    'в 2019 году',
    'В 2019, 2020 и 2021 годах программа работала',  # a list of years, no currency
]


def test_compound_numbers(res):
    """A compound amount is one NUMBER too: `3 миллиона 200 тысяч человек` → 3 200 000."""
    found = mentions('В городе живут 3 миллиона 200 тысяч человек.', res)
    assert [(_.text, _.value, _.unit) for _ in found] == [('3 миллиона 200 тысяч', 3.2e6, 'человек')]


@pytest.mark.parametrize('text', NOT_MONEY)
def test_money_not_extracted(res, text):
    assert mentions(text, res, 'MONEY') == []


def test_money_kind_and_numbers_skip_it(res):
    money_found = mentions('зарплата от 10 тысяч рублей', res, 'MONEY')
    assert [(_.kind, _.source) for _ in money_found] == [('money', 'rule:money')]
    assert mentions('зарплата от 10 тысяч рублей', res, 'NUMBER') == []
