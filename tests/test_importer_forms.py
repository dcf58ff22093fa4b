"""Every printed form of byline, caption, credit and footer, and the text repairs."""
from __future__ import annotations

import pytest

from ycarchive.importer.bylines import (Byline, parse_byline, parse_caption, parse_credit,
                                        parse_end_signature, parse_footer, parse_lead)
from ycarchive.importer.places import build_gazetteer, infer_counties
from ycarchive.importer.repair import clean_spaces, normalize_line, normalize_punctuation


@pytest.mark.parametrize("line, expected", [
    ("□记者 刘凯华", Byline(reporters=["刘凯华"])),
    ("本报记者 曹欣怡", Byline(reporters=["曹欣怡"])),
    ("本报记者 邢智轩 曹欣怡", Byline(reporters=["邢智轩", "曹欣怡"])),
    ("本报记者 邢智轩 通讯员 薛哲", Byline(reporters=["邢智轩"], correspondents=["薛哲"])),
    ("记者 刘凯华", Byline(reporters=["刘凯华"])),
    ("本报记者\t李 楠", Byline(reporters=["李楠"])),
    ("通讯员 薛哲", Byline(correspondents=["薛哲"])),
    ("记者手记", None),
    ("本报记者发现问题", None),
    ("党建引领 莲池社区“家”味浓", None),
])
def test_parse_byline(line, expected):
    assert parse_byline(line) == expected


@pytest.mark.parametrize("paragraph, byline, rest", [
    ("本报讯（记者 曹欣怡）去年以来，万荣县着眼", Byline(reporters=["曹欣怡"]), "去年以来，万荣县着眼"),
    ("本报讯(记者 邢智轩)2月21日，永济市", Byline(reporters=["邢智轩"]), "2月21日，永济市"),
    ("本报讯（记者 邢智轩 曹欣怡）近日", Byline(reporters=["邢智轩", "曹欣怡"]), "近日"),
    ("本报讯（记者 邢智轩 通讯员 薛哲）近日", Byline(reporters=["邢智轩"], correspondents=["薛哲"]),
     "近日"),
    ("本报讯 日前，山西省蚕业科学研究院", Byline(), "日前，山西省蚕业科学研究院"),
    ("本报讯（沈琦）日前", Byline(authors=["沈琦"]), "日前"),
    ("本报运城6月18日讯（记者 曹欣怡）近日", Byline(reporters=["曹欣怡"]), "近日"),
])
def test_parse_lead(paragraph, byline, rest):
    assert parse_lead(paragraph) == (byline, rest)


@pytest.mark.parametrize("paragraph, expected", [
    ("推动运城市蚕桑产业高质量发展。（沈琦）", ("推动运城市蚕桑产业高质量发展。", ["沈琦"])),
    ("推动发展。(沈琦)", ("推动发展。", ["沈琦"])),
    ("推动发展。（沈 琦）", ("推动发展。", ["沈琦"])),
    ("到村（社区）工作大学生", None),
    ("产品（煅后焦）", None),
])
def test_parse_end_signature(paragraph, expected):
    assert parse_end_signature(paragraph) == expected


@pytest.mark.parametrize("line, text, photographers", [
    ("记者 茹雅 摄", "记者 茹雅 摄", ["茹雅"]),
    ("特约摄影 解建国 摄", "特约摄影 解建国 摄", ["解建国"]),
    ("董博摄", "董博摄", ["董博"]),
    ("本报记者 邢智轩 摄", "本报记者 邢智轩 摄", ["邢智轩"]),
    ("杨阳 摄", "杨阳 摄", ["杨阳"]),
    ("杨阳 董博 摄", "杨阳 董博 摄", ["杨阳", "董博"]),
    ("通讯员 杨 阳 摄", "通讯员 杨阳 摄", ["杨阳"]),
])
def test_parse_credit(line, text, photographers):
    credit = parse_credit(line)
    assert (credit.text, credit.photographers) == (text, photographers)


@pytest.mark.parametrize("line", ["摄影技术培训", "记者 刘凯华", "拍摄", "党员干部拍照留念摄"])
def test_not_a_credit(line):
    assert parse_credit(line) is None


@pytest.mark.parametrize("paragraph, expected", [
    ("▲11月25日，万荣县黄河滩涂一派繁忙景象，农户加紧收割水稻。",
     ("11月25日，万荣县黄河滩涂一派繁忙景象，农户加紧收割水稻。", None, True)),
    ("图为政协委员为居民表演文艺节目。", ("图为政协委员为居民表演文艺节目。", None, True)),
    ("夏县城西社区组织辖区内儿童开展活动。（资料照片）",
     ("夏县城西社区组织辖区内儿童开展活动。", "资料照片", True)),
    ("图为葫芦岛社区工作人员与居民共同召开“小板凳”议事会。（资料图片）",
     ("图为葫芦岛社区工作人员与居民共同召开“小板凳”议事会。", "资料图片", True)),
    ("3月22日，市体育局党员干部赴盐湖区高家垣社区开展志愿服务活动。", None),
    ("▲11月25日，农户加紧收割水稻。（记者 茹雅 摄）",
     ("11月25日，农户加紧收割水稻。", "记者 茹雅 摄", True)),
    ("3月22日，党员干部清扫巷道。 杨 阳 摄", ("3月22日，党员干部清扫巷道。", "杨阳 摄", True)),
    ("他说：“我们要拍摄。”", None),
])
def test_parse_caption(paragraph, expected):
    assert parse_caption(paragraph) == expected


@pytest.mark.parametrize("text, expected", [
    ("本版责编 邢智轩 美编 冯满楠 校对 李静坤",
     {"editor": ["邢智轩"], "art_editor": ["冯满楠"], "proofreader": ["李静坤"]}),
    ("本版责编 曹欣怡 校对 孙勇\n美编 冯潇楠",
     {"editor": ["曹欣怡"], "proofreader": ["孙勇"], "art_editor": ["冯潇楠"]}),
    ("本版责编\t曹欣怡\t美 编\t冯潇楠\n校 对\t李 楠\t\t",
     {"editor": ["曹欣怡"], "art_editor": ["冯潇楠"], "proofreader": ["李楠"]}),
    ("责编 曹欣怡 邢智轩 美编 冯潇楠",
     {"editor": ["曹欣怡", "邢智轩"], "art_editor": ["冯潇楠"]}),
    ("责任编辑：曹欣怡 美术编辑：冯潇楠 校对：李楠",
     {"editor": ["曹欣怡"], "art_editor": ["冯潇楠"], "proofreader": ["李楠"]}),
    ("本版责编：", None),
    ("校对工作很重要，大家要认真", None),
])
def test_parse_footer(text, expected):
    assert parse_footer(text) == expected


@pytest.mark.parametrize("raw, expected", [
    ("走进河津市城区街道莲池社区,我们会看到:在", "走进河津市城区街道莲池社区，我们会看到：在"),
    ("下午18:30,共1,000人参加", "下午18:30，共1,000人参加"),
    ("总投资1.1亿元(煅后焦)项目", "总投资1.1亿元（煅后焦）项目"),
    ("到村(社区)工作大学生;你好?好!", "到村（社区）工作大学生；你好？好！"),
    ("LED (Light Emitting Diode), OK", "LED (Light Emitting Diode), OK"),
    ("“月圆人团圆 元宵共欢聚”主题活动", "“月圆人团圆 元宵共欢聚”主题活动"),
])
def test_normalize_punctuation(raw, expected):
    assert normalize_punctuation(raw) == expected


@pytest.mark.parametrize("raw, heading, expected", [
    ("把准干的方 向、提振干的状态", False, "把准干的方向、提振干的状态"),
    ("永济市纪委监委召开 2024年度工作汇报会", True, "永济市纪委监委召开2024年度工作汇报会"),
    ("创新机制聚合力 基层治理添动能", True, "创新机制聚合力 基层治理添动能"),
    ("这里“住客”是“主角” 共治共享新图景", True, "这里“住客”是“主角” 共治共享新图景"),
    ("“以案为鉴 以案促改”专题", False, "“以案为鉴 以案促改”专题"),
    ("居民 ，都说好", False, "居民，都说好"),
    ("LED大屏幕 and Wi-Fi", False, "LED大屏幕 and Wi-Fi"),
])
def test_clean_spaces(raw, heading, expected):
    assert clean_spaces(raw, heading=heading) == expected


def test_normalize_line_tabs():
    assert normalize_line("校\t对\t李 楠") == "校对李楠"


REGISTRY = [
    {"name": "河津市", "short": "河津", "slug": "hejin"},
    {"name": "绛县", "short": "绛县", "slug": "jiangxian"},
    {"name": "新绛县", "short": "新绛", "slug": "xinjiang"},
    {"name": "夏县", "short": "夏县", "slug": "xiaxian"},
    {"name": "市直", "short": "全市", "slug": "shizhi", "city_level": True},
]
ROWS = [
    {"level": "town", "name": "城区街道", "county": "河津市"},
    {"level": "village", "name": "莲池社区居委会", "county": "河津市"},
    {"level": "village", "name": "城西社区居委会", "county": "夏县"},
    {"level": "village", "name": "城西社区居委会", "county": "河津市"},
    {"level": "town", "name": "运城经济技术开发区", "county": "夏县"},
]


@pytest.mark.parametrize("heads, body, expected", [
    (["临猗", "河津市委开展教育"], "", (["河津市"], [])),
    (["", "新绛县举办活动"], "", (["新绛县"], [])),
    (["", "党建引领 莲池社区“家”味浓"], "走进莲池社区", (["河津市"], [
        "counties: 河津市 inferred from 莲池社区 in the headline"])),
    (["", "党建引领 莲池社区“家”味浓"], "走进河津市城区街道莲池社区", (["河津市"], [])),
    (["", "三剂良方"], "莲池社区的治理焕新", (["河津市"], ["counties: 河津市 inferred from 莲池社区"])),
    (["", "文艺轻骑兵"], "市政协组织政协委员开展活动", (["市直"], [])),
    (["省蚕业科学研究院", "产研结合"], "推动运城市蚕桑产业", (["市直"], [])),
    (["", "文艺轻骑兵"], "市政协走进夏县城西社区", (["夏县"], [])),
    (["", "服务到基层"], "走进城西社区", ([], [
        "counties: none found; 城西社区 is the name of places in 河津市、夏县"])),
    (["", "服务到基层"], "走进运城经济技术开发区", ([], [
        "counties: no county, town or village named; add the county by hand"])),
])
def test_infer_counties(heads, body, expected):
    gaz = build_gazetteer(REGISTRY, ROWS)
    assert infer_counties(gaz, heads, body) == expected
