"""Person names: parts, nominative, and linking of mentions within an article.

A linguist can add a case without reading code: NAME_CASES is (mention as
found, nominative, (first, middle, last)); LINK_CASES is (text, groups of
mention texts that are one person).
"""

from itertools import pairwise

import pytest

from pipeline.document import Document, Mention
from pipeline.stages import link, ner, normalise, persons, resolve, segment

NAME_CASES = [
    # ordinary Russian names, six cases, both genders
    ('Дмитрий Разумовский', 'Дмитрий Разумовский', ('Дмитрий', '', 'Разумовский')),
    ('Дмитрия Разумовского', 'Дмитрий Разумовский', ('Дмитрий', '', 'Разумовский')),
    ('Дмитрию Разумовскому', 'Дмитрий Разумовский', ('Дмитрий', '', 'Разумовский')),
    ('Дмитрием Разумовским', 'Дмитрий Разумовский', ('Дмитрий', '', 'Разумовский')),
    ('Дмитрии Разумовском', 'Дмитрий Разумовский', ('Дмитрий', '', 'Разумовский')),
    ('Сергея Иванова', 'Сергей Иванов', ('Сергей', '', 'Иванов')),
    ('Сергею Иванову', 'Сергей Иванов', ('Сергей', '', 'Иванов')),
    ('Сергеем Ивановым', 'Сергей Иванов', ('Сергей', '', 'Иванов')),
    ('Сергее Иванове', 'Сергей Иванов', ('Сергей', '', 'Иванов')),
    ('Никиты Петрова', 'Никита Петров', ('Никита', '', 'Петров')),
    ('Никите Петрову', 'Никита Петров', ('Никита', '', 'Петров')),
    ('Никитой Петровым', 'Никита Петров', ('Никита', '', 'Петров')),
    ('Владимира Путина', 'Владимир Путин', ('Владимир', '', 'Путин')),
    ('Владимиру Путину', 'Владимир Путин', ('Владимир', '', 'Путин')),
    ('Анна Петрова', 'Анна Петрова', ('Анна', '', 'Петрова')),
    ('Анны Петровой', 'Анна Петрова', ('Анна', '', 'Петрова')),
    ('Анне Петровой', 'Анна Петрова', ('Анна', '', 'Петрова')),
    ('Анну Петрову', 'Анна Петрова', ('Анна', '', 'Петрова')),
    ('Анной Петровой', 'Анна Петрова', ('Анна', '', 'Петрова')),
    ('Марии Шинкаревой', 'Мария Шинкарева', ('Мария', '', 'Шинкарева')),
    ('Марию Шинкареву', 'Мария Шинкарева', ('Мария', '', 'Шинкарева')),
    ('Марией Шинкаревой', 'Мария Шинкарева', ('Мария', '', 'Шинкарева')),
    ('Ольги Ковальской', 'Ольга Ковальская', ('Ольга', '', 'Ковальская')),
    ('Ольгу Ковальскую', 'Ольга Ковальская', ('Ольга', '', 'Ковальская')),
    ('Ольгой Ковальской', 'Ольга Ковальская', ('Ольга', '', 'Ковальская')),
    ('Светланы Макаренко', 'Светлана Макаренко', ('Светлана', '', 'Макаренко')),
    ('Алексею Скляру', 'Алексей Скляр', ('Алексей', '', 'Скляр')),
    ('Льва Толстого', 'Лев Толстой', ('Лев', '', 'Толстой')),
    ('Юрию Долгорукому', 'Юрий Долгорукий', ('Юрий', '', 'Долгорукий')),
    ('Сергей Искусных', 'Сергей Искусных', ('Сергей', '', 'Искусных')),          # -ых does not decline
    # a woman's consonant-final surname does not decline; a man's does
    ('Аллы Бут', 'Алла Бут', ('Алла', '', 'Бут')),
    ('Аллой Бут', 'Алла Бут', ('Алла', '', 'Бут')),
    ('Виктора Бута', 'Виктор Бут', ('Виктор', '', 'Бут')),
    ('Виктору Буту', 'Виктор Бут', ('Виктор', '', 'Бут')),
    ('Гэбриэль Гиффордс', 'Гэбриэль Гиффордс', ('Гэбриэль', '', 'Гиффордс')),
    # patronymics
    ('Никиты Андреевича', 'Никита Андреевич', ('Никита', 'Андреевич', '')),
    ('Наине Иосифовне', 'Наина Иосифовна', ('Наина', 'Иосифовна', '')),
    ('Алексей Николаевич Скляр', 'Алексей Николаевич Скляр', ('Алексей', 'Николаевич', 'Скляр')),
    ('Ивана Ивановича Петрова', 'Иван Иванович Петров', ('Иван', 'Иванович', 'Петров')),
    ('Николая Статкевича', 'Николай Статкевич', ('Николай', '', 'Статкевич')),   # no name gives `Статк-евич`
    # official order: surname first
    ('Иванов Иван Иванович', 'Иванов Иван Иванович', ('Иван', 'Иванович', 'Иванов')),
    ('Петровой Анны Сергеевны', 'Петрова Анна Сергеевна', ('Анна', 'Сергеевна', 'Петрова')),
    ('Кадыров Рамзан', 'Кадыров Рамзан', ('Рамзан', '', 'Кадыров')),
    ('Карлос Симон', 'Карлос Симон', ('Карлос', '', 'Симон')),      # a first name first is the first name
    # initials stay initials
    ('Н. Н. Петровой', 'Н. Н. Петрова', ('Н.', 'Н.', 'Петрова')),
    ('Петрова Н. Н.', 'Петрова Н. Н.', ('Н.', 'Н.', 'Петрова')),
    ('А. С. Пушкину', 'А. С. Пушкин', ('А.', 'С.', 'Пушкин')),
    # foreign names: a nominative is not "inflected", an oblique form is
    ('Фелипе Масса', 'Фелипе Масса', ('Фелипе', '', 'Масса')),
    ('Кими Райкконен', 'Кими Райкконен', ('Кими', '', 'Райкконен')),
    ('Нэнси Пелоси', 'Нэнси Пелоси', ('Нэнси', '', 'Пелоси')),
    ('Синдзи Харада', 'Синдзи Харада', ('Синдзи', '', 'Харада')),
    ('Вольфганг Тифензее', 'Вольфганг Тифензее', ('Вольфганг', '', 'Тифензее')),
    ('Михаель Баллак', 'Михаель Баллак', ('Михаель', '', 'Баллак')),
    ('Эрик Пула', 'Эрик Пула', ('Эрик', '', 'Пула')),
    ('Левон Аронян', 'Левон Аронян', ('Левон', '', 'Аронян')),
    ('Георгий Франгулян', 'Георгий Франгулян', ('Георгий', '', 'Франгулян')),
    ('Федор Мирзоянов', 'Федор Мирзоянов', ('Федор', '', 'Мирзоянов')),
    ('Саломе Зурабишвили', 'Саломе Зурабишвили', ('Саломе', '', 'Зурабишвили')),
    ('Джареда Лофнера', 'Джаред Лофнер', ('Джаред', '', 'Лофнер')),
    ('Джареду Лофнеру', 'Джаред Лофнер', ('Джаред', '', 'Лофнер')),
    ('Халеда эль-Масри', 'Халед эль-Масри', ('Халед', '', 'эль-Масри')),
    ('Фил О’Рейли', 'Фил О’Рейли', ('Фил', '', 'О’Рейли')),
    ('Бесселю Коку', 'Бессель Кок', ('Бессель', '', 'Кок')),
    ('Реджеп Тайип Эрдоган', 'Реджеп Тайип Эрдоган', ('Реджеп', 'Тайип', 'Эрдоган')),
    # Chinese, Korean, Vietnamese: surname first
    ('Ху Цзиньтао', 'Ху Цзиньтао', ('Цзиньтао', '', 'Ху')),
    ('Си Цзиньпина', 'Си Цзиньпин', ('Цзиньпин', '', 'Си')),
    ('Мао Цзэдун', 'Мао Цзэдун', ('Цзэдун', '', 'Мао')),
    ('Кима Чен Ира', 'Ким Чен Ир', ('Чен', 'Ир', 'Ким')),
    ('Нгуен Тан Зунг', 'Нгуен Тан Зунг', ('Тан', 'Зунг', 'Нгуен')),
    ('Ким Бейсингер', 'Ким Бейсингер', ('Ким', '', 'Бейсингер')),      # not a Korean name
    # particles stay in the surname as written
    ('Усамы бин Ладена', 'Усама бин Ладен', ('Усама', '', 'бин Ладен')),
    ('Шарля де Голля', 'Шарль де Голль', ('Шарль', '', 'де Голль')),
    ('Винсента ван Гога', 'Винсент ван Гог', ('Винсент', '', 'ван Гог')),
    ('Жан-Мари Ле Пен', 'Жан-Мари Ле Пен', ('Жан-Мари', '', 'Ле Пен')),
    # double surnames decline in both halves
    ('Николая Римского-Корсакова', 'Николай Римский-Корсаков', ('Николай', '', 'Римский-Корсаков')),
    # a surname alone
    ('Обамой', 'Обама', ('', '', 'Обама')),
    ('Шинкаревой', 'Шинкарева', ('', '', 'Шинкарева')),
    ('Разумовского', 'Разумовский', ('', '', 'Разумовский')),
    ('Гиффордс', 'Гиффордс', ('', '', 'Гиффордс')),        # pymorphy3 guesses a first name
    ('Ванга', 'Ванга', ('', '', 'Ванга')),
    ('Лофнеру', 'Лофнер', ('', '', 'Лофнер')),
    ('Леманом', 'Леман', ('', '', 'Леман')),
    # plural surnames: the family under the masculine singular
    ('Ивановы', 'Иванов', ('', '', 'Иванов')),
    ('Петровых', 'Петров', ('', '', 'Петров')),
    # first names that are also common nouns (natasha's list leaves them out)
    ('Льва Кошкина', 'Лев Кошкин', ('Лев', '', 'Кошкин')),
    ('Льву Яшину', 'Лев Яшин', ('Лев', '', 'Яшин')),
    ('Любови Семёновой', 'Любовь Семёнова', ('Любовь', '', 'Семёнова')),
    ('Надежды Гусевой', 'Надежда Гусева', ('Надежда', '', 'Гусева')),
    # a first name nobody listed, in an ending no nominative has: the instrumental
    ('Агатой Шимчак', 'Агата Шимчак', ('Агата', '', 'Шимчак')),
    ('Грасой Машел', 'Граса Машел', ('Граса', '', 'Машел')),
    ('Эфтимисом Паппасом', 'Эфтимис Паппас', ('Эфтимис', '', 'Паппас')),
    ('Флоридой Гогуа', 'Флорида Гогуа', ('Флорида', '', 'Гогуа')),
    ('Флоридой Чантурией', 'Флорида Чантурия', ('Флорида', '', 'Чантурия')),
    ('Мариано Рахой', 'Мариано Рахой', ('Мариано', '', 'Рахой')),      # a man's `-ой` as written
    # `-ану`, `-яну` beside a dative first name is the dative; `-уа`, `-оа` do not decline
    ('Бобу Дилану', 'Боб Дилан', ('Боб', '', 'Дилан')),
    ('Виктору Саргсяну', 'Виктор Саргсян', ('Виктор', '', 'Саргсян')),
    ('Николая Бенуа', 'Николай Бенуа', ('Николай', '', 'Бенуа')),
    ('Андре Моруа', 'Андре Моруа', ('Андре', '', 'Моруа')),
    # a listed consonant-final name of either gender before a woman's surname: a woman's, undeclined
    ('Мехрибан Алиеву', 'Мехрибан Алиева', ('Мехрибан', '', 'Алиева')),
    # Chinese given names end in vowels that are no case endings
    ('Ли Чжаньшу', 'Ли Чжаньшу', ('Чжаньшу', '', 'Ли')),
    # two words surname first only when the second is a first name: these are first name, surname
    ('Гвинет Пэлтроу', 'Гвинет Пэлтроу', ('Гвинет', '', 'Пэлтроу')),
    ('Никлас Лидстрём', 'Никлас Лидстрём', ('Никлас', '', 'Лидстрём')),
    ('Лорин Маазель', 'Лорин Маазель', ('Лорин', '', 'Маазель')),
    ('Оррин Хэтч', 'Оррин Хэтч', ('Оррин', '', 'Хэтч')),
    # a first name alone
    ('Марку', 'Марк', ('Марк', '', '')),
    ('Виктором', 'Виктор', ('Виктор', '', '')),
]


def normalised(text: str) -> Mention:
    doc = segment.run(Document('t', text))
    doc.mentions = [Mention(0, len(text), 'PER', text)]
    return normalise.run(doc).mentions[0]


@pytest.mark.parametrize('text, normal, parts', NAME_CASES)
def test_person_names_normal_and_parts(text, normal, parts):
    mention = normalised(text)
    assert (mention.normal, mention.parts) == (normal, parts)


def test_person_names_cases_enough():
    assert len(NAME_CASES) >= 60


# ---------------------------------------------------------------- linking

LINK_CASES = [
    # a surname alone joins the one full name it is the surname of
    ('Вчера Гэбриэль Гиффордс пришла в сознание. Врачи говорят, что Гиффордс поправится.',
     [{'Гэбриэль Гиффордс', 'Гиффордс'}]),
    ('Обвиняемым стал Джаред Лофнер. Лофнеру предъявлено обвинение.',
     [{'Джаред Лофнер', 'Лофнеру'}]),
    ('Астронавт Грегори Чамитофф прилетит на станцию. Чамитофф заменит коллегу.',
     [{'Грегори Чамитофф', 'Чамитофф'}]),
    # a first name alone joins the one person with that first name
    ('Виктор Бут арестован в Таиланде. Виктором занимается суд.',
     [{'Виктор Бут', 'Виктором'}]),
    # a man's surname declines, a woman's does not: `Бута` is Виктор
    ('Виктор Бут и его жена Алла Бут приехали в суд. Адвокаты Бута молчат.',
     [{'Виктор Бут', 'Бута'}, {'Алла Бут'}]),
    # the verb tells the gender
    ('Виктор Бут и его жена Алла Бут приехали в суд. Бут рассказала о муже.',
     [{'Виктор Бут'}, {'Алла Бут', 'Бут'}]),
    ('Барак Обама и Мишель Обама прилетели в Аризону. Обама выступил в субботу.',
     [{'Барак Обама', 'Обама'}, {'Мишель Обама'}]),
    # an initial fits the full first name
    ('Премьер Наото Кан прибыл в Токио. Н. Кан заявил о планах.',
     [{'Наото Кан', 'Н. Кан'}]),
    # a Latin name in brackets is the same person
    ('Об этом сказал руководитель КЗЖ Джоэл Саймон (Joel Simon) журналистам.',
     [{'Джоэл Саймон', 'Joel Simon'}]),
    # a Chinese name: the surname alone
    ('Председатель КНР Ху Цзиньтао прибыл в США. Визит Ху продлится три дня.',
     [{'Ху Цзиньтао', 'Ху'}]),
    # a surname alone in an oblique case that also reads as written (`-е`, `-и`) joins the full name
    ('Мэр Детройта Кваме Килпатрик ушёл в отставку. При Килпатрике город обеднел.',
     [{'Кваме Килпатрик', 'Килпатрике'}]),
    ('Генерал Мануэль Норьега арестован. Адвокат Норьеги подал жалобу.',
     [{'Мануэль Норьега', 'Норьеги'}]),
    ('Эдвард Сноуден попросил убежища. Министры говорили о Сноудене два часа.',
     [{'Эдвард Сноуден', 'Сноудене'}]),
    # `Дж.` is the initial of `Джеймс`
    ('Генерал Джеймс Джонс ушёл в отставку. Отставку Дж.Джонса приняли.',
     [{'Джеймс Джонс', 'Дж.Джонса'}]),
    # a Korean surname does not decline in news, the last syllable does
    ('Ким Чен Ын прибыл в Пекин. Встреча с Ким Чен Ыном длилась час.',
     [{'Ким Чен Ын', 'Ким Чен Ыном'}]),
    # patronymic with the first name
    ('Директор колледжа Никита Златин рассказал о планах. По словам Никиты Андреевича, работа идёт.',
     [{'Никита Златин', 'Никиты Андреевича'}]),
]


def run_stages(text: str, res) -> Document:
    doc = Document('t', text)
    for stage in (segment.run, ner.run, resolve.run, persons.run, normalise.run, link.run):
        doc = stage(doc, res)
    return doc


@pytest.mark.parametrize('text, groups', LINK_CASES)
def test_person_names_linking(res, text, groups):
    doc = run_stages(text, res)
    entity = {m.text: m.entity for m in doc.mentions if m.type == 'PER'}
    for group in groups:
        assert group <= set(entity), (group, entity)
        assert len({entity[_] for _ in group}) == 1, (group, entity)
    for one, other in pairwise(groups):
        assert entity[next(iter(one))] != entity[next(iter(other))]


def test_person_names_entity_name_first_and_last(res):
    doc = run_stages('Вчера Гэбриэль Гиффордс пришла в сознание. Гиффордс поправится.', res)
    person = doc.entities[next(m.entity for m in doc.mentions if m.text == 'Гиффордс')]
    assert (person.name, person.first, person.last) == ('Гэбриэль Гиффордс', 'Гэбриэль', 'Гиффордс')


def test_person_names_surname_found_where_tagger_missed_it(res):
    doc = run_stages('Виктор Бут арестован. Суд над Бутом начнётся в среду. Буту предъявлены обвинения.', res)
    per = [m for m in doc.mentions if m.type == 'PER']
    assert {m.text for m in per} >= {'Виктор Бут', 'Буту'}
    assert len({m.entity for m in per}) == 1


# ---------------------------------------------------------------- the words around a name

def person_names_of(text: str, res) -> dict[str, str]:
    doc = run_stages(text, res)
    return {m.text: doc.entities[m.entity].name for m in doc.mentions
            if m.type == 'PER' and m.entity is not None}


@pytest.mark.parametrize('text, mention, name', [
    # the case of the person's noun, across the genitive words that qualify it
    ('Мнение председателя комитета Госдумы Александра Пушкова известно.', 'Александра Пушкова',
     'Александр Пушков'),
    ('Доклад заместителя министра финансов Украины Влада Гриценко вышел вчера.', 'Влада Гриценко',
     'Влад Гриценко'),
    # and across a dash
    ('Журналисты ждали двух пилотов - Хейкки Ковалайнена и Нико Росберга.', 'Хейкки Ковалайнена',
     'Хейкки Ковалайнен'),
    # a name joined by `и` to a name surely in the genitive is in the genitive too
    ('Это видно в трудах Авраама и Абу Машара.', 'Абу Машара', 'Абу Машар'),
    # the verb of a later mention tells the person's gender, and so the case of the first one
    ('Выводы Евгения Кравченко опубликованы. «Рынок растёт», — отметил Кравченко.', 'Евгения Кравченко',
     'Евгений Кравченко'),
    # a hyphenated first name takes the gender of its first half and an undeclined tail stays as written
    ('Памятник первому президенту Ахмат-Хаджи Кадырову открыли в Грозном.', 'Ахмат-Хаджи Кадырову',
     'Ахмат-Хаджи Кадыров'),
    # a person known by first name and patronymic is so named
    ('Собрание открыла Наина Иосифовна.', 'Наина Иосифовна', 'Наина Иосифовна'),
    # the verb after a name tells a woman's nominative from a man's genitive, unless a noun before
    # may govern the name
    ('Утром Александра Дмитриева пришла на работу.', 'Александра Дмитриева', 'Александра Дмитриева'),
    ('Жена Александра Дмитриева пришла на работу.', 'Александра Дмитриева', 'Александр Дмитриев'),
    ('Под руководством Вячеслава Быкова команда выиграла кубок.', 'Вячеслава Быкова', 'Вячеслав Быков'),
])
def test_person_names_context(res, text, mention, name):
    assert person_names_of(text, res).get(mention) == name


@pytest.mark.parametrize('text, mention, normal', [
    # a mention's own normal follows the words around it as its person's name does
    ('Утром Александра Дмитриева пришла на работу.', 'Александра Дмитриева', 'Александра Дмитриева'),
    ('Книгу написал друг комика Бенни Хилла.', 'Бенни Хилла', 'Бенни Хилл'),
    ('Фильм снят по сценарию писателя Асгара Фархади.', 'Асгара Фархади', 'Асгар Фархади'),
])
def test_person_names_mention_normal_in_context(res, text, mention, normal):
    doc = run_stages(text, res)
    assert {m.text: m.normal for m in doc.mentions if m.type == 'PER'}.get(mention) == normal


@pytest.mark.parametrize('text, mention, normal', [
    # initials stay initials, and the surname after them is its person's (GOLD-GUIDE.md)
    ('Министр Алексей Кудрин ушёл. Кремль обманул А.Кудрина.', 'А.Кудрина', 'А.Кудрин'),
    ('Обращение к президенту В. В. Путину опубликовано.', 'В. В. Путину', 'В. В. Путин'),
    ('Письмо подписал В.Путин.', 'В.Путин', 'В.Путин'),
    ('Корреспондент спросил о Ким Чен Ыне.', 'Ким Чен Ыне', 'Ким Чен Ын'),
])
def test_person_names_initials_and_korean_names_in_context(res, text, mention, normal):
    doc = run_stages(text, res)
    assert {m.text: m.normal for m in doc.mentions if m.type == 'PER'}.get(mention) == normal


HINT_CASES = [   # (text, mention, gender the verb gives, cases the word before suggests): `Mention.hints`
    ('«Рынок растёт», — заявила Бут.', 'Бут', 'femn', None),
    ('Бут рассказала о суде.', 'Бут', 'femn', None),
    ('Иван Петров приехал вчера.', 'Иван Петров', 'masc', None),
    ('Письмо отправили к Лофнеру.', 'Лофнеру', None, {'datv'}),
    ('По словам Лофнера, всё готово.', 'Лофнера', None, {'gent'}),
    # a name joined by `и` to a name surely in the genitive takes the genitive as its hint
    ('Это видно в трудах Авраама и Абу Машара.', 'Абу Машара', None, {'gent'}),
    ('Это видно в трудах Авраама и Абу Машара.', 'Авраама', None, None),
]


@pytest.mark.parametrize('text, mention, gender, cases', HINT_CASES)
def test_person_names_hints_of_the_words_around(res, text, mention, gender, cases):
    doc = Document('t', text)
    for stage in (segment.run, ner.run, resolve.run, persons.run):
        doc = stage(doc, res)
    hints = next(_.hints for _ in doc.mentions if _.type == 'PER' and _.text == mention)
    assert (hints.gender if hints else None) == gender
    assert (set(hints.cases[0][0]) if hints and hints.cases else None) == cases


def test_person_names_particle_before_the_name_joins_it(res):
    found = person_names_of('Эти таблицы составил ибн Эзра, а потом их переписали.', res)
    assert 'ибн Эзра' in found, found


def test_person_names_two_korean_names_in_one_span_are_two(res):
    found = person_names_of('Основателем страны считается отец Кима Чен Ира Ким Ир Сен.', res)
    assert {'Кима Чен Ира', 'Ким Ир Сен'} <= set(found), found
    assert found['Ким Ир Сен'] == 'Ким Ир Сен'     # surname first, as written, all three parts


def persons_over(res, text: str, start_word: str, type: str) -> list[tuple[str, str]]:
    """(type, text) of the mentions persons.run leaves of one `type` span from `start_word` to
    the final dot."""
    doc = segment.run(Document('t', text), res)
    start = doc.text.index(start_word)
    doc.mentions = [Mention(start, len(doc.text) - 1, type, doc.text[start:-1], source='ner')]
    return [(m.type, m.text) for m in persons.run(doc, res).mentions]


def test_person_names_word_that_reads_as_no_name_is_cut_off(res):
    assert persons_over(res, 'Задержан оператор Аль-Джазиры Сами аль-Хадж.', 'Аль-Джазиры', 'PER') == [
        ('PER', 'Сами аль-Хадж')]


def test_person_names_place_that_is_a_person(res):
    assert persons_over(res, 'Открыт музей имени Ахмат-Хаджи Кадырова.', 'Ахмат', 'LOC') == [
        ('PER', 'Ахмат-Хаджи Кадырова')]


def test_person_names_bare_surname_goes_to_the_person_the_article_is_about(res):
    found = person_names_of('Рамзан Кадыров провёл совещание. Рамзан Кадыров поручил начать ремонт. '
                            'Рамзан Кадыров вспомнил отца, Ахмат-Хаджи Кадырова. '
                            'Кадыров уехал в Москву.', res)
    assert found['Кадыров'] == 'Рамзан Кадыров', found
