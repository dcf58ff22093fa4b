"""A small fixture archive for the search tests."""

from ycarchive.search import SearchDoc


def doc(n, title, text, date="2025-06-24", counties=("临猗县",), people=("曹欣怡",), tags=(), kicker="", subtitle=""):
    return SearchDoc(
        id=f"{date}-03-a{n}", url=f"{date.replace('-', '/')}/03/a{n}/", title=title, kicker=kicker,
        subtitle=subtitle, date=date, counties=tuple(counties), section="党建", column="创建新时代党建引领基层治理示范区",
        people=tuple(people), tags=tuple(tags), text=text,
    )


DOCS = [
    doc(1, "志愿服务进社区", "社区党支部组织志愿服务活动，红马甲志愿者穿梭其间。志愿服务让居民感到温暖。", tags=("志愿服务",)),
    doc(2, "志愿者的一天", "志愿者们来到敬老院，为老人提供义诊服务。这些志愿者都是党员。", date="2024-03-22",
        counties=("万荣县",), people=("邢智轩", "茹雅")),
    doc(3, "党建引领基层治理", "党建引领基层治理，葫芦岛社区探索“小板凳”议事会。2025年6月18日，居民议事。",
        counties=("临猗县",), people=("刘凯华",), tags=("基层治理",), kicker="临猗县"),
    doc(4, "河津市莲池社区“家”味浓", "走进河津市城区街道莲池社区，党员带头协调沟通。社区治理从“社区干、群众看”转向“大家一起干”。",
        date="2025-02-24", counties=("河津市",), people=("刘凯华", "董博")),
    doc(5, "Wi-Fi 覆盖全村", "全村实现 Wi-Fi 覆盖，5G 基站建成。2025年，村民用上了智慧党建平台 APP。",
        date="2023-11-25", counties=("夏县",), people=("沈琦",)),
    doc(6, "警示教育", "河津市委“两新”工委开展专题警示教育，以案为鉴、以案促改。", date="2025-06-20",
        counties=("河津市",), people=("曹欣怡",)),
    doc(7, "党课开讲啦", "芮城县阳城镇举办“党课开讲啦”活动。党课新声，引领征程。服务群众，志愿先行。",
        date="2025-06-18", counties=("芮城县",), people=("邢智轩",)),
    doc(8, "健步走", "段太珍在西安了解到健步走这项运动。健步走形式简单、容易坚持。", date="2022-05-01",
        counties=("盐湖区",), people=("薛哲",)),
]
