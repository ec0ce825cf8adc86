"""Shanghai's market regulation units: the city bureau, 16 district bureaus (GB/T 2260 codes),
临港新片区 and 机场分局, and the stations (市场监管所) and enforcement team under each.

Loaded by a data migration, so every installation and every test database has them.
"""

CITY = ("310000", "上海市市场监督管理局", "市局")

# (unit code, name, short name, GB/T 2260 region code, stations)
DISTRICTS = [
    ("310101", "黄浦区市场监督管理局", "黄浦区", "310101",
     ["南京东路", "外滩", "半淞园路", "小东门", "豫园", "老西门", "五里桥", "打浦桥", "淮海中路", "瑞金二路"]),
    ("310104", "徐汇区市场监督管理局", "徐汇区", "310104",
     ["天平路", "湖南路", "斜土路", "枫林路", "长桥", "田林", "虹梅路", "康健新村", "徐家汇", "凌云路", "龙华", "漕河泾", "华泾"]),
    ("310105", "长宁区市场监督管理局", "长宁区", "310105",
     ["华阳路", "江苏路", "新华路", "周家桥", "天山路", "仙霞新村", "虹桥", "程家桥", "北新泾", "新泾"]),
    ("310106", "静安区市场监督管理局", "静安区", "310106",
     ["江宁路", "石门二路", "南京西路", "静安寺", "曹家渡", "天目西路", "北站", "宝山路", "芷江西路", "共和新路", "大宁路", "彭浦新村", "临汾路", "彭浦"]),
    ("310107", "普陀区市场监督管理局", "普陀区", "310107",
     ["曹杨新村", "长风新村", "长寿路", "甘泉路", "石泉路", "宜川路", "万里", "真如镇", "长征", "桃浦"]),
    ("310109", "虹口区市场监督管理局", "虹口区", "310109",
     ["欧阳路", "曲阳路", "广中路", "嘉兴路", "凉城新村", "四川北路", "北外滩", "江湾镇"]),
    ("310110", "杨浦区市场监督管理局", "杨浦区", "310110",
     ["定海路", "平凉路", "江浦路", "四平路", "控江路", "长白新村", "延吉新村", "殷行", "大桥", "五角场", "新江湾城", "长海路"]),
    ("310112", "闵行区市场监督管理局", "闵行区", "310112",
     ["江川路", "古美", "新虹", "浦锦", "莘庄", "七宝", "颛桥", "华漕", "虹桥镇", "梅陇", "吴泾", "马桥", "浦江"]),
    ("310113", "宝山区市场监督管理局", "宝山区", "310113",
     ["友谊路", "吴淞", "张庙", "罗店", "大场", "杨行", "月浦", "罗泾", "顾村", "高境", "庙行", "淞南"]),
    ("310114", "嘉定区市场监督管理局", "嘉定区", "310114",
     ["新成路", "真新", "菊园新区", "嘉定镇", "南翔", "安亭", "马陆", "徐行", "华亭", "外冈", "江桥"]),
    ("310115", "浦东新区市场监督管理局", "浦东新区", "310115",
     ["潍坊新村", "陆家嘴", "周家渡", "塘桥", "上钢新村", "南码头路", "沪东新村", "金杨新村", "洋泾", "花木", "川沙新镇", "高桥", "北蔡", "唐镇", "曹路", "金桥", "张江", "三林", "惠南", "周浦", "康桥", "祝桥"]),
    ("310116", "金山区市场监督管理局", "金山区", "310116",
     ["石化", "朱泾", "枫泾", "张堰", "亭林", "吕巷", "廊下", "金山卫", "漕泾", "山阳"]),
    ("310117", "松江区市场监督管理局", "松江区", "310117",
     ["岳阳", "永丰", "方松", "中山", "泗泾", "佘山", "车墩", "新桥", "洞泾", "九亭", "泖港", "石湖荡", "新浜", "叶榭", "小昆山"]),
    ("310118", "青浦区市场监督管理局", "青浦区", "310118",
     ["夏阳", "盈浦", "香花桥", "朱家角", "练塘", "金泽", "赵巷", "徐泾", "华新", "重固", "白鹤"]),
    ("310120", "奉贤区市场监督管理局", "奉贤区", "310120",
     ["南桥", "奉城", "庄行", "金汇", "四团", "青村", "柘林", "海湾", "西渡", "奉浦"]),
    ("310151", "崇明区市场监督管理局", "崇明区", "310151",
     ["城桥", "堡镇", "新河", "庙镇", "竖新", "向化", "三星", "港沿", "中兴", "陈家镇", "长兴", "横沙"]),
    # Special-zone bureaus: no GB/T 2260 code of their own.
    ("LINGANG", "中国（上海）自由贸易试验区临港新片区市场监督管理局", "临港新片区", "",
     ["南汇新城", "泥城", "书院", "万祥", "芦潮港"]),
    ("AIRPORT", "上海市市场监督管理局机场分局", "机场分局", "",
     ["浦东机场", "虹桥机场"]),
]


def station_code(district_code: str, index: int) -> str:
    return f"{district_code}-S{index:02d}"


def team_code(district_code: str) -> str:
    return f"{district_code}-T01"


def load(Unit) -> None:
    """Create or refresh the units (idempotent). `Unit` may be a historical model."""
    city, _ = Unit.objects.update_or_create(
        code=CITY[0],
        defaults={"name": CITY[1], "short_name": CITY[2], "kind": "city", "region_code": CITY[0], "sort": 0},
    )
    for d_index, (code, name, short, region, stations) in enumerate(DISTRICTS, start=1):
        district, _ = Unit.objects.update_or_create(
            code=code,
            defaults={"name": name, "short_name": short, "kind": "district", "parent": city,
                      "region_code": region, "sort": d_index * 1000},
        )
        Unit.objects.filter(pk=district.pk).update(district=district)
        for s_index, station in enumerate(stations, start=1):
            Unit.objects.update_or_create(
                code=station_code(code, s_index),
                defaults={"name": f"{short}{station}市场监管所", "short_name": f"{station}所",
                          "kind": "station", "parent": district, "district": district,
                          "sort": d_index * 1000 + s_index},
            )
        Unit.objects.update_or_create(
            code=team_code(code),
            defaults={"name": f"{short}市场监管局执法大队", "short_name": "执法大队", "kind": "team",
                      "parent": district, "district": district, "sort": d_index * 1000 + 999},
        )
