"""Build ``data/china_provinces/`` (31 mainland provinces) from the public sources it cites.

Run once by hand after ``fetch``-ing the source repositories; the dataset is committed, this script
records how its derived numbers were made (issue 18). It reads the repositories' committed files
with ``git show`` so no work tree is needed::

    python tools/build_china_provinces.py --ceic /path/to/energyandcleanair+china_co2/repo \
        --pik /path/to/pik-piam+PyPSA-China-PIK/repo

Rules (also in docs/data.md, "The province dataset"):
- the 14 provinces of the eight hubs keep their rows of ``data/china_hubs/provinces.csv`` verbatim;
- the other 17 follow the same rules from the same CEIC tables (capacities Dec 2024, wind Nov 2024,
  wind hours 2023, solar hours Jan-Nov 2024 x 12/11, utilisation = mean of the 2024 monthly rates,
  demand = 2024 consumption, growth = 2019-2024 CAGR, thermal hours = 2024 generation / mean of the
  Dec 2023 and Dec 2024 capacity), pumped hydro from PIK's PHS_p_nom.csv, nuclear from PIK where
  CEIC has no series;
- national files (technologies, transmission, parameters, currency, compute and hydrogen
  parameters) are copied from china_hubs but for the rows in ``NATIONAL_OWN``;
- lines: PIK's inter-provincial corridors (``resources/data/grids/edges_current.csv``) plus the
  UHV lines of china_hubs that came into service in 2025 or later, with the hub dataset's contracts
  on the corridors that carry them.

Run on the mirrors it writes the shipped files byte for byte: a hand edit of the data goes into
this script in the same commit (``git diff`` after a run shows any drift).
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HUBS = ROOT / "data" / "china_hubs"
OUT = ROOT / "data" / "china_provinces"

CEIC = "[CEIC] energyandcleanair/china_co2"
PIK = "[PIK] pik-piam/PyPSA-China-PIK @25c83bf"
BB = "[BB] johnhany/BladeBend"

#: id, English name (as CEIC spells it), Chinese name, hub, role, representative city, lat, lon,
#: January and July mean temperature. Hub provinces hosting the hub's cluster use the hub's city.
PROVINCES: list[tuple[str, str, str, str | None, str, str, float, float, float, float]] = [
    ("BJ", "Beijing", "北京", "BTH", "east", "Beijing", 39.90, 116.40, -3.1, 26.7),
    ("TJ", "Tianjin", "天津", "BTH", "east", "Tianjin", 39.13, 117.20, -3.4, 26.8),
    ("HE", "Hebei", "河北", "BTH", "east", "Zhangjiakou (Zhangjiakou data-centre cluster)",
     40.769, 114.886, -10.4, 22.3),
    ("SX", "Shanxi", "山西", None, "east", "Taiyuan", 37.87, 112.55, -5.5, 23.5),
    ("NM", "Inner Mongolia", "内蒙古", "IM", "west",
     "Hohhot (Horinger data-centre cluster, ~40 km south)", 40.84, 111.75, -11.0, 23.3),
    ("LN", "Liaoning", "辽宁", None, "east", "Shenyang", 41.80, 123.43, -11.0, 24.9),
    ("JL", "Jilin", "吉林", None, "east", "Changchun", 43.88, 125.32, -14.9, 23.3),
    ("HL", "Heilongjiang", "黑龙江", None, "east", "Harbin", 45.75, 126.63, -17.6, 23.3),
    ("SH", "Shanghai", "上海", "YRD", "east",
     "Shanghai (YRD eco-green integration demonstration zone cluster)", 31.23, 121.47, 4.2, 27.9),
    ("JS", "Jiangsu", "江苏", "YRD", "east", "Nanjing", 32.06, 118.80, 2.7, 28.1),
    ("ZJ", "Zhejiang", "浙江", "YRD", "east", "Hangzhou", 30.27, 120.15, 4.6, 28.9),
    ("AH", "Anhui", "安徽", "YRD", "east", "Wuhu (Wuhu data-centre cluster)", 31.35, 118.43, 3.4,
     28.8),
    ("FJ", "Fujian", "福建", None, "east", "Fuzhou", 26.07, 119.30, 11.4, 29.2),
    ("JX", "Jiangxi", "江西", None, "east", "Nanchang", 28.68, 115.86, 5.9, 29.8),
    ("SD", "Shandong", "山东", None, "east", "Jinan", 36.65, 117.00, -0.4, 27.5),
    ("HA", "Henan", "河南", None, "east", "Zhengzhou", 34.75, 113.63, 0.9, 27.6),
    ("HB", "Hubei", "湖北", None, "east", "Wuhan", 30.59, 114.30, 4.0, 29.7),
    ("HN", "Hunan", "湖南", None, "east", "Changsha", 28.23, 112.94, 5.0, 29.6),
    ("GD", "Guangdong", "广东", "GBA", "east", "Shaoguan (Shaoguan data-centre cluster)", 24.81,
     113.60, 10.0, 28.0),
    ("GX", "Guangxi", "广西", None, "west", "Nanning", 22.82, 108.37, 13.1, 28.7),
    ("HI", "Hainan", "海南", None, "east", "Haikou", 20.04, 110.20, 17.7, 29.0),
    ("CQ", "Chongqing", "重庆", "CY", "east", "Chongqing (Chongqing data-centre cluster)", 29.56,
     106.55, 7.9, 28.5),
    ("SC", "Sichuan", "四川", "CY", "east", "Chengdu (Tianfu data-centre cluster)", 30.66, 104.07,
     5.9, 25.0),
    ("GZ", "Guizhou", "贵州", "GZ", "west", "Guiyang (Gui'an data-centre cluster)", 26.73, 106.45,
     4.6, 24.0),
    ("YN", "Yunnan", "云南", None, "west", "Kunming", 25.04, 102.71, 8.9, 20.2),
    ("XZ", "Tibet", "西藏", None, "west", "Lhasa", 29.65, 91.13, -0.3, 16.0),
    ("SN", "Shaanxi", "陕西", None, "west", "Xi'an", 34.34, 108.94, 1.0, 27.5),
    ("GS", "Gansu", "甘肃", "GS", "west", "Qingyang (Qingyang data-centre cluster, Xifeng district)",
     35.71, 107.64, -4.6, 21.1),
    ("QH", "Qinghai", "青海", None, "west", "Xining", 36.62, 101.78, -6.9, 17.6),
    ("NX", "Ningxia", "宁夏", "NX", "west", "Zhongwei (Zhongwei data-centre cluster)", 37.5002,
     105.1968, -7.9, 23.5),
    ("XJ", "Xinjiang", "新疆", None, "west", "Urumqi", 43.83, 87.62, -12.6, 23.7),
]
NAME = {p[0]: p[1] for p in PROVINCES}
ID = {p[1]: p[0] for p in PROVINCES}
HUB_OF = {p[0]: p[3] for p in PROVINCES}
#: Where each hub's data-centre cluster (its existing IT capacity) is placed. BTH: Zhangjiakou
#: (Hebei); YRD: the Wuhu cluster (Anhui) and the demonstration zone across Shanghai, Jiangsu and
#: Zhejiang, so all four by demand; CY: Tianfu (Sichuan) and Chongqing, by demand.
CLUSTER = {"BTH": ["HE"], "YRD": ["SH", "JS", "ZJ", "AH"], "GBA": ["GD"], "CY": ["SC", "CQ"],
           "IM": ["NM"], "GZ": ["GZ"], "GS": ["GS"], "NX": ["NX"]}

#: Coordinates: checked against a public table of provincial capitals' city-centre coordinates
#: (every capital within 0.15 deg of it). Temperatures: January and July daily means; each row says
#: what it was checked against (CMA normals quoted by city or travel pages, or the NBS yearbook's
#: monthly means of 2008 and 2009, single years) or that it is an assumption.
COORD_CHECK = ("coordinates checked against huangwenxia/my-threejs-bi src/components/Earth/untils/"
               "coordinate.js @cd4d83f (provincial capitals' city centres)")
NBS = ("NBS China Statistical Yearbook 2009 table 11-13 and 2010 table 12-13 (monthly mean "
       "temperature of major cities in 2008 and 2009, stats.gov.cn)")
TEMP_CHECK = {
    "BJ": f"{NBS}: Jan -3.0/-3.0, Jul 27.2/27.0",
    "TJ": f"{NBS}: Jan -3.6/-3.5, Jul 27.0/27.1",
    "SX": ("CMA normals as quoted at traveltill.com/destination/China/Taiyuan/climate.php: Jan "
           f"-5.5, Jul 23.4; {NBS}: Jan -5.5/-5.1"),
    "LN": "CMA normals as quoted at english.gs.imr.ac.cn (IMR CAS, Shenyang): Jan -11.2, Jul 24.6",
    "JL": ("CMA normals as quoted at traveltill.com/destination/China/Changchun/climate.php: Jan "
           "-15.1, Jul 23.1"),
    "HL": "CMA normals as quoted at nomadpub.com/harbin-weather: Jan -17.6, Jul 23.1",
    "JS": f"{NBS}: Jan 1.5/2.2, Jul 29.0/28.0 (assumption within +-1 C)",
    "ZJ": "photographycn.com/home/getone/807 (climate of Hangzhou): Jan 40.3 F = 4.6 C, Jul 84.0 F "
          "= 28.9 C",
    "AH": ("assumption: no Wuhu series found; Hefei (about 100 km north, slightly colder) in "
           f"{NBS}: Jan 1.0/2.6, Jul 28.7/28.6; range Jan 2-5 C, Jul 28-30 C"),
    "FJ": "CMA 1971-2000 normals as quoted at liquisearch.com/fuzhou/climate: Jan 10.9, Jul 28.9",
    "JX": f"assumption within +-1.5 C; {NBS}: Jan 3.5/5.1, Jul 30.0/29.7",
    "SD": f"assumption within +-1.5 C; {NBS}: Jan -2.0/-0.2, Jul 26.0/26.5",
    "HA": f"{NBS}: Jan -0.7/1.0, Jul 26.6/27.9 (assumption within +-1 C)",
    "HB": f"assumption within +-1.5 C; {NBS}: Jan 1.2/4.5, Jul 29.3/30.3",
    "HN": f"assumption within +-1.5 C; {NBS}: Jan 2.3/5.1, Jul 30.1/29.8",
    "GX": f"assumption within +-2 C (2008's January was a cold spell); {NBS}: Jan 9.4/11.3, Jul "
          "27.7/28.3",
    "HI": f"assumption within +-1 C; {NBS}: Jan 16.9/16.1, Jul 28.0/28.3",
    "CQ": f"{NBS}: Jan 6.2/7.7, Jul 29.1/28.9 (assumption within +-1 C)",
    "YN": (f"assumption within +-1.5 C; {NBS}: Jan 10.7/8.3, Jul 19.4/21.3; travel pages quoting "
           "the city: coldest month 7.5-8, warmest 19.7"),
    "XZ": ("assumption within +-2 C: sources disagree (CMA 1971-2000 via Wikipedia: Jan 0.6, warmest "
           "17.5; Lhasa tourism pages: Jan -2.0, June 15.7; NBS 2009: Jan 1.0)"),
    "SN": "assumption within +-1.5 C; a travel table (sanyachinatravel.com): Jan 2, Jul 28",
    "QH": "assumption within +-1.5 C: no source found for Xining",
    "XJ": ("CMA normals as quoted at en.hongshannet.cn (Urumqi city portal): Jan -12.6, Jul 23.7"),
}


def city_source(pid: str) -> str:
    """Provenance of a representative city's coordinates and temperatures."""
    coords = COORD_CHECK if pid != "AH" else (
        "coordinates of Wuhu city centre: assumption within 0.1 deg (no table checked)")
    return (f"{coords}; January/July mean temperatures (the values first written from memory as "
            f"1981-2010 CMA normals) checked: {TEMP_CHECK[pid]}")


#: Coal benchmark (燃煤发电基准价, CNY/MWh) of the 17 provinces outside the hubs. BB where its file
#: gives it; otherwise the former desulphurised coal benchmark feed-in tariff (脱硫标杆电价), which
#: NDRC's 2019 notice (发改价格规〔2019〕1658号) turned into the benchmark unchanged, from a public
#: table of all provinces; Xinjiang and Tibet are not in it.
COAL_BENCHMARK = {
    "Fujian": (393.2, f"{BB} docs/各省数据2025/福建.md section 3: 燃煤发电基准价 393.2 CNY/MWh"),
    "Guangxi": (420.7, f"{BB} docs/各省数据2025/广西.md section 3: 燃煤基准价 420.7 CNY/MWh"),
    "Yunnan": (335.8, f"{BB} docs/各省数据2025/云南.md section 3: 燃煤发电基准价 335.8 CNY/MWh"),
}
DESULPHURISED = {"Shanxi": 332.0, "Liaoning": 374.9, "Jilin": 373.1, "Heilongjiang": 374.0,
                 "Jiangxi": 414.3, "Shandong": 394.9, "Henan": 377.9, "Hubei": 416.1,
                 "Hunan": 450.0, "Hainan": 429.8, "Shaanxi": 354.5, "Qinghai": 324.7}
TABLE_SOURCE = ("wenku.solarbe.com/p-20929.html (全国最新分地区电价及利用小时数: 脱硫标杆电价 by "
                "province, CNY/kWh), the tariff NDRC's 2019 notice (发改价格规〔2019〕1658号) made the "
                "coal benchmark unchanged; the same table's values for Beijing, Tianjin, Jiangsu, "
                "Ningxia, Fujian, Guangxi and Yunnan agree with [BB]'s 2025 benchmarks; a reference "
                "figure for checks only, not a model input")
NO_TABLE = {
    "Xinjiang": (250.0, "assumption, range 250-262 CNY/MWh: Xinjiang is not in the benchmark table "
                 "found; Xinjiang DRC's 2025-06-24 plan for new-energy prices sets the mechanism "
                 "price of subsidised stock projects at 0.25 CNY/kWh and of grid-parity projects at "
                 "0.262 (via e.ccement.com/news/content/50915138858316115.html); a reference figure "
                 "for checks only, not a model input"),
    "Tibet": (250.0, "assumption, no source: Tibet has almost no coal power and no coal benchmark "
              "was found; Xinjiang's 250 CNY/MWh is a placeholder (range 250-450), so Tibet's "
              "price check is not meaningful; a reference figure for checks only"),
}


#: Mine-mouth coal of the coal provinces outside the hubs: NDRC's reasonable ranges for medium-
#: and long-term contract coal (Fagai Jiage [2022] No. 303), midpoint minus the Qinhuangdao port
#: midpoint (570-770 CNY/t, mid 670), as china_hubs does for IM, NX and GS.
NDRC_303 = ("NDRC Fagai Jiage [2022] No. 303 (via https://www.tellerreport.com/go/national-"
            "development-and-reform-commission--strengthen-coal-market-price-regulation-and-"
            "supervision.BkEOKDIBq.html; the Shanxi and Shaanxi ranges also in SteelOrbis, 28 Feb "
            "2022)")
MINE_MOUTH = {
    "SX": (470.0, "derived", "the NDRC reasonable range for mine-mouth coal in Shanxi (5,500 kcal: "
           "370-570 CNY/t, mid 470)"),
    "SN": (420.0, "derived", "the NDRC reasonable range for mine-mouth coal in Shaanxi (5,500 kcal: "
           "320-520 CNY/t, mid 420)"),
    "XJ": (420.0, "proxy", "the NDRC range for Shaanxi (320-520 CNY/t, mid 420): Xinjiang has no "
           "range of its own in the notice; its plants burn local mine-mouth coal (Zhundong, Hami), "
           "as china_hubs's rule for Ningxia and Gansu (Xinjiang's own coal is cheaper still, so "
           "this is an upper bound of its price)"),
}


#: Seaborne coal of the coastal provinces outside the hubs: the hubs' coastal freight proxies
#: (china_hubs GBA and YRD rows), a lower bound for ports further from Qinhuangdao.
COASTAL = {
    "FJ": (33.5, "YRD", "Qinhuangdao-Shanghai (Fuzhou and Xiamen lie further south, so a lower "
           "bound)"),
    "GX": (42.2, "GBA", "Qinhuangdao-Guangzhou (Beibu Gulf ports lie further, so a lower bound)"),
    "HI": (42.2, "GBA", "Qinhuangdao-Guangzhou (Haikou lies further, so a lower bound)"),
}


def trade_limit_rows() -> list[list]:
    """Published 2024 send-out (receipt) of provinces whose AC ties carry no line contract: they
    bound the province's net trade (transmission block, send_out_ceiling / receipt_ceiling) or,
    where the figure is gross (a trading centre's purchases and sales), the sum of its outflows
    (inflows) (gross_send_out_ceiling / gross_receipt_ceiling). Independent of the derived
    net_export of provinces.csv, which the checks compare against.
    Beijing's published receipt (about 90 TWh in 2024, [BB]) is left out: bounding it makes
    Beijing's gas CHP the marginal plant of the city all year (price +67%), while its gas plants
    are paid by a separate tariff (docs/calibration.md, Hebei)."""
    return [list(r) for r in TRADE_LIMITS]


TRADE_LIMITS = (
    ('SX', 'send_out_limit', 2024, 154.0, 'TWh',
     "derived: mean of Shanxi's published send-out (晋电外送) in the years either side of "
     '2024, as no full-year 2024 figure was found: 157.6 TWh in 2023 (Shanxi '
     'statistics bureau, via Xinhua) and 150.36 TWh in 2025 (Shanxi 2025 statistical '
     'bulletin, https://tjgb.hongheiku.com/sjtjgb/68246.html, via [BB] '
     'johnhany/BladeBend docs/各省数据2025/山西.md section 4); Q1 2024 41.35 TWh, +8.79% '
     'y/y (State Grid Shanxi, Xinhua-AsiaNet 2024-04-22); bounds the net send-out '
     "over all of Shanxi's lines (the Yanmenguan-Huai'an DC contract included) with "
     'transmission.csv contract_headroom; independent of provinces.csv net_export '
     '(derived from generation minus consumption)'),
    ('SN', 'gross_send_out_limit', 2024, 110.0, 'TWh',
     "proxy: Shaanxi's published 2025 send-out (陕电外送) 110 TWh (Shaanxi provincial "
     'government, '
     'https://www.shaanxi.gov.cn/xw/sxyw/202512/t20251228_3599990_wap.html, via [BB] '
     'johnhany/BladeBend docs/各省数据2025/陕西.md section 4); no 2024 figure found; gross '
     'send-out (January 2025: 4.34 TWh sent, 1.58 TWh bought in, Shaanxi power '
     "trading centre), so it bounds the sum of Shaanxi's outflows; independent of "
     'provinces.csv net_export'),
    ('HA', 'gross_receipt_limit', 2024, 66.39, 'TWh',
     "derived: Henan's 2025 inter-provincial purchases (省间外购) 71.83 TWh at +8.2% y/y "
     '(Henan power trading centre, '
     'https://finance.sina.com.cn/wm/2026-03-18/doc-inhrmayn1545171.shtml, via [BB] '
     'johnhany/BladeBend docs/各省数据2025/河南.md section 4.1): 71.83 / 1.082 = 66.39 TWh '
     'in 2024; gross receipt (everything bought in over the inter-provincial ties, '
     "transit excluded), so it bounds the sum of Henan's inflows; independent of "
     'provinces.csv net_export'),
    ('HA', 'gross_send_out_limit', 2024, 3.94, 'TWh',
     "derived: Henan's 2025 sales out of the province (省间外送) 9.3 TWh at +136.2% y/y "
     '(Henan power trading centre, '
     'https://finance.sina.com.cn/wm/2026-03-18/doc-inhrmayn1545171.shtml, via [BB] '
     'johnhany/BladeBend docs/各省数据2025/河南.md section 4.1): 9.3 / 2.362 = 3.94 TWh in '
     "2024; gross send-out (transit excluded), so it bounds the sum of Henan's outflows; "
     'independent of provinces.csv net_export'),
)


#: Corridors whose capacity in PIK's coarse grid exceeds a published figure (issue 18, Hebei):
#: Shanxi's outbound ties add up to 41.95 GW in PIK against Shanxi's published 30.62 GW; the rest
#: of that interface, after the ties with their own figure, is Hebei's.
CAPACITY_OVERRIDE = {
    ("HE", "SX"): (13.67, "derived: Shanxi's outbound transmission capacity 30.62 GW (State Grid "
                   "Shanxi, Xinhua 2023-01-12, http://en.people.cn/n3/2023/0112/c90000-10195251.html"
                   "; 2024: 'three AC and one DC UHV + 14 circuits of 500 kV', more than 30 GW, State "
                   "Grid Shanxi, Xinhua-AsiaNet 2024-04-22) less its other ties in this file (sx_js "
                   "8.0, ha_sx 5.0, bj_sx 3.95 GW): the rest of the interface leaves for Hebei (the "
                   "1000 kV Jinbei-Beijing West and Jinzhong-Shijiazhuang lines, 500 kV circuits to "
                   "Hebei South)"),
}
CAPACITY_OVERRIDE_NOTE = {
    ("HE", "SX"): "with Shanxi's other corridors 41.95 GW, more than Shanxi's whole outbound "
                  "capacity",
}


#: Send-outs published per province (issue 18, third pass), shared over the corridors they use.
WAN_DIAN = (f"derived: {{share}} (capacity share of Anhui's ties to Jiangsu 10 GW and Zhejiang 9.5 "
            "GW) of 79.71 TWh = 20.64% x 386.19 TWh: Anhui's send-out was 20.64% of its generation "
            "in 2023 (up from 18.13% in 2017; 安徽省外输电量在总发电量中占比, "
            "http://www.ccyxbj.cn/hyshuju/3691adfe085f04bd6294dc7ce01502aa.html), applied to its "
            "2024 generation (provinces.csv generation_* rows); cross-check: 皖电东送 (Anhui -> "
            "Shanghai, Jiangsu, Zhejiang) sent about 300 TWh over 2021-2025, 60 TWh a year on "
            "average ('“十四五”期间累计向兄弟省市送电约3,000亿千瓦时', Anhui energy bureau, "
            f"{BB} docs/各省数据2025/安徽.md table 4.1); the lines of 皖电东送 (Huainan-Nanjing-"
            "Shanghai and Huainan-Zhebei-Shanghai 1000 kV AC) run through these ties")
SHANDONG_AC = (f"derived: {{share}} (capacity share of Shandong's AC ties to Hebei 6 GW and Beijing 9 "
               f"GW) of 43.27 TWh: Shandong's 2024 inter-provincial purchases 154.77 TWh (State Grid "
               f"Shandong, {BB} docs/各省数据2025/山东.md table 4.1) less the contracts of its DC lines "
               "(nm_sd 87.8, nx_sd 23.7 TWh, this file) = 43.27 TWh; the AC remainder is the "
               "1000 kV Ximeng-Shandong and Yuheng-Weifang lines, which enter through these ties "
               "(46.77 TWh with nx_sd's capacity share 20.2 before issue 18's line-level pass)")
YUNNAN_OUT = ("derived: {share} (capacity share of Yunnan's ties to Guangdong 31.4 GW and Guangxi "
              "13.12 GW) of 189.36 TWh = China Southern Grid's 2024 west-east transfer 238.25 TWh "
              "less Guizhou->Guangdong's 43.7 TWh (gz_gd, this file) and Guangxi's own sales to "
              "Guangdong 5.19 TWh (2025, " + BB + " docs/各省数据2025/广西.md table 4.1); 238.25 = "
              "2025's 261.6 TWh / 1.098 (2025: 2,616亿千瓦时, +9.8% y/y, China Southern Grid via CCTV "
              "and China News, " + BB + " docs/各省数据2025/广西.md table 4.2 and 广东.md table 4.1; "
              "https://reportify.cn/news/1205340123852574720); Yunnan's send-out so derived, 189.4 "
              "TWh, is near CEC's 2025 net output of Yunnan, 192.5 TWh (" + BB + " docs/各省数据2025/"
              "云南.md section 4)")
MENGDONG_LN = ("derived: 65.10 - 24.67 TWh: Liaoning's 2024 tie-line receipt 65.10 TWh (2025's "
               "expected 54.5 TWh at -16.28% y/y, Liaoning MIIT 2025 orderly power-use plan, revised, "
               "https://gxt.ln.gov.cn/gxt/tztg/2025122614482656448/index.shtml) less its 2024 send-out "
               "24.67 TWh (Jan-Apr 2025 9.585 TWh at +16.58% y/y = 8.222 TWh in Jan-Apr 2024, x 3; "
               "mostly to Shandong over the Jarud-Qingzhou DC that the model's Inner Mongolia holds) "
               f"({BB} docs/各省数据2025/辽宁.md tables 4.1, 4.2): Liaoning's net receipt from "
               "Mengdong, whose ties the model gathers in this corridor")

#: Line-level volumes of Zhejiang's UHV DC lines (issue 18, Zhejiang pass): where a line's own
#: volume is published it is its contract; the sending province's total (Sichuan's net output,
#: Ningxia's DC exports, as china_hubs shares them) is kept, and the rest is shared by capacity
#: over its other DC lines. china_hubs keeps the capacity shares of the totals (docs/data.md).
BINJIN = ("Xiluodu-Zhexi (宾金, ±800 kV, 8 GW, July 2014) carried 100 TWh by 23 Jun 2017 "
          "(1,219 days; Xinhua, http://big5.china.com.cn/gate/big5/photo.china.com.cn/news/2017-06/"
          "24/content_41089367.htm; ecns.cn 2017-06-24) and 300 TWh by 13 May 2024 (China News, "
          "中新网金华5月13日电 '十年来该工程累计输送电量突破3000亿千瓦时', reproduced at "
          "http://u2n6p.zjmtchy.com/jzjej/9149562/): 200 TWh in 2,516 days = 29.03 TWh/yr "
          "(3,629 h)")
SICHUAN_TOTAL = ("Sichuan's net output 126.1 TWh in 2025 (CEC, " + BB + " docs/各省数据2025/四川.md "
                 "section 4)")
SICHUAN_ZJ = ("derived: 29.03 + 29.03 TWh, line-level: " + BINJIN + "; Baihetan-Zhejiang (白浙, "
              "±800 kV, 8 GW, end of 2022, full 8 GW from June 2023) has no published annual "
              "volume: proxy, Xiluodu-Zhexi's hours (same Jinsha cascade); its design volume is "
              "'300亿千瓦时以上' a year (State Grid at commissioning, http://www.gzydxx.com.cn/Post/"
              "8daec9fd6a2901b) and State Grid put the two Baihetan lines at about 60 TWh a year "
              "(Xinhua via https://www.shine.cn/news/nation/2212304555/); cross-check: the three "
              "UHV DC lines into Zhejiang (with Lingshao, nx_zj) carried 90.8 TWh, 14.7% of "
              "Zhejiang's consumption, in 2023 (China News, same article), about 35 TWh of it on "
              "these two with Lingshao's ~55.7 (Baihetan-Zhejiang at full capacity only from June "
              "2023). Was 44.27 TWh, a capacity share (16/45.6) of " + SICHUAN_TOTAL + "; the total "
              "is kept: the other Sichuan DC lines share the rest (sc_js, sc_sh, sc_jx)")
SICHUAN_REST = ("derived: {cap} GW x 2.2984 TWh/GW = {twh} TWh: " + SICHUAN_TOTAL + " less the "
                "line-level 58.07 TWh of its two Zhejiang lines (sc_zj: Xiluodu-Zhexi and "
                "Baihetan-Zhejiang) = 68.03 TWh, shared by capacity over its other DC lines "
                "(Baihetan-Jiangsu 8, Jinping-Sunan 7.2, Xiangjiaba-Shanghai 6.4, Yazhong-Jiangxi "
                "8 = 29.6 GW; no line-level volume found for them); was {was} TWh, the capacity "
                "share over all 45.6 GW that china_hubs keeps ({hub}){extra}")
LINGSHAO = ("derived: line-level: Lingzhou-Shaoxing (灵绍, ±800 kV, 8 GW, Aug 2016) carried 55.7 TWh "
            "in 2024, the most of any ±800 kV line, near a tenth of Zhejiang's consumption (China "
            "News 2025-08-05, '2024年度，该工程年输送电量达557亿千瓦时', via http://www.nxcaijing.cn/"
            "news/2025/0805/2455.html; 400.9 TWh in all by 3 Aug 2025); earlier years: 49.8 TWh in "
            "2020, 6,229 h (CNR 2021-04-02, via https://iqzss.com/archiver/tid-13397.html), over "
            "6,880 h in 2022 (State Grid Ningxia, https://nationalee.com/newsinfo/4891721.html). "
            "Was 40.4 TWh, a capacity share (8/20) of Ningxia's 101 TWh of 2025 DC exports; the "
            "total is kept: Yindong (nx_sd) has its own long-run figure and Zhongning takes the "
            "rest")
YINDONG = ("derived: line-level: Yindong (银东, ±660 kV, 4 GW, 2011) carried 298.5 TWh in more than "
           "4,600 days = 23.7 TWh/yr (http://gd-jhy.com/news/news-1111287-1.html; an upper bound of "
           "its mean rate); no annual figure found. Was 20.2 TWh, a capacity share (4/20) of "
           "Ningxia's 101 TWh of 2025 DC exports (" + BB + " docs/各省数据2025/宁夏.md section 4), "
           "as china_hubs nx_shandong_yindong keeps")
ZHONGNING = ("derived: 101 - 55.7 - 23.7 = 21.6 TWh: Ningxia's 101 TWh of 2025 DC exports (" + BB +
             " docs/各省数据2025/宁夏.md section 4) less the line-level volumes of Lingshao (nx_zj, "
             "2024) and Yindong (nx_sd, long-run); full-year equivalent (the line ran from Jun "
             "2025; design 'more than 36 TWh a year'). Was 40.4 TWh, a capacity share (8/20), as "
             "china_hubs nx_hunan_zhongning scheduled_energy keeps")
ZHONGNING_CALIBRATION = (
    "as china_hubs nx_hunan_zhongning calibration_in_service: the 2024 calibration counts the line "
    "(in service from 29 Jun 2025) because Ningxia's line volumes split its 2025 exports of 101 TWh "
    "over its three DC lines (this file's contracted_energy: 21.6 TWh here, the remainder after "
    "Lingshao's and Yindong's line-level volumes), and NX's balance rests on them "
    "(docs/calibration.md, The 2024 set of lines)")


#: The Three Gorges' output is shared out by the state plan, not by cost: SDPC's 2003 plan (People's
#: Daily, 2003-07-07) gives East China 40% and Guangdong 16% of it in the dry season and, in the
#: flood season, each its line capacity (7.2 and 3 GW of 22.5 GW at full output: 32% and 13.3%);
#: the annual share is taken as the mean of the two regimes, on the plant's 2023 output.
SANXIA_PLAN = ("derived: {head}: the Three Gorges' {to} share, the mean of SDPC's 2003 "
               "allocation plan's dry-season share ({dry}) and its flood-season cap at full output "
               "({cap} of 22.5 GW) (http://en.people.cn/200307/07/eng20030707_119615.shtml: 'during "
               "the non-flood season, the power station will deliver 16-percent energy to Guangdong, "
               "40 percent to east China and 44 percent to central China'; flood season: east China "
               "and Guangdong up to 7.2 and 3 million kW, the rest to central China), applied to the "
               "plant's 2023 output 80.271 TWh (802.71亿千瓦时, China Three Gorges Corp. via People's "
               "Daily 2024-01-10, http://www.shenduxp.com/wap/2024-01/11/content_31498279.htm; no "
               "2024 figure found){split}")
SANXIA_EAST = SANXIA_PLAN.format(
    head="{share} of 28.898 TWh = 0.36 x 80.271 TWh", to="East China", dry="40%", cap="7.2",
    split=(" = 28.898 TWh, shared over Hubei's DC ties to Shanghai (Yidu-Huaxin and Yichang-"
           "Fengjing, 6 GW) and Jiangsu (Longquan-Zhengping, 3 GW) by capacity; Gezhouba's 1.2 GW "
           "to Shanghai has no published allocation and is left to cost"))
SANXIA_GD = SANXIA_PLAN.format(head="0.1467 x 80.271 TWh", to="Guangdong", dry="16%", cap="3",
                               split=" = 11.773 TWh, over the Three Gorges-Guangdong DC (hb_gd)")
#: The Central China share (the rest of the plant's output: 44% in the dry season, what East China
#: and Guangdong leave in the flood season; 0.4933 on the same mean) is split among the five
#: Central China provinces by the only per-province allocation found, NDRC's adjusted 2003 plan
#: (Henan 1.33, Hubei 0.81, Hunan 0.41, Chongqing 0.77 TWh; Jiangxi none until 2006); Hubei keeps
#: its own part (9.661 TWh), the rest is sent over its ties.
SANXIA_CENTRAL = SANXIA_PLAN.format(
    head="{share} of 39.598 TWh = 0.4933 x 80.271 TWh", to="Central China", dry="44%",
    cap="the rest after 7.2 + 3",
    split=(" = 39.598 TWh, split among Henan, Hubei, Hunan and Chongqing by the only per-province "
           "allocation found: NDRC's adjusted 2003 absorption plan (国家发展改革委《2003年三峡水电站"
           "电能消纳计划调整的通知》, Beijing Review Japanese edition 2003 no.35, "
           "http://www.bjreview.cn/JP/JP/2003-35/200335-jj2.htm: Henan 13.3, Hubei 8.1, Hunan 4.1 "
           "(10^8 kWh, Central China grid 25.5) and Chongqing 7.7; Jiangxi none, as CCTV 2003-06-27 "
           "says none for Jiangxi in the 10th plan and China News Service 2006-05-19 that Jiangxi "
           "shares from 2006), of 33.2 in all; Hubei keeps its 8.1/33.2 (9.661 TWh), so the others "
           "are sent over Hubei's ties. A 2003 key (the plant's first year) applied to 2023's output: "
           "an assumption of a stable split, stated; Hubei's own 24.4% is close to the 2003-05 "
           "reading '40% mainly for Hubei' only if read loosely (docs/calibration.md)"))
#: NDRC's adjusted 2003 plan (10^8 kWh): province -> (name, its part of the Central China share).
SANXIA_CENTRAL_KEY = {"HA": ("Henan", 13.3), "HB": ("Hubei", 8.1), "HN": ("Hunan", 4.1),
                      "CQ": ("Chongqing", 7.7)}
SANXIA_CENTRAL_TWH = 39.598  # 0.4933 x 80.271 TWh, as SANXIA_CENTRAL says
SANXIA_FLOOR = ("as sc_js: hydro export line: the Three Gorges' power follows the water (most in the "
                "flood season), so no flat schedule; the contract's annual energy and headroom "
                "still hold")
#: The Three Gorges-Guangdong ±500 kV DC (Jingzhou-Huizhou), missing from PIK's current grid.
SANXIA_GD_LINE = ("Three Gorges-Guangdong ±500 kV DC (Jingzhou-Huizhou, 三广直流), 3 GW, sending "
                  "from March 2004 (China News Service 2004-01-09, "
                  "http://caisexing.com/n/2004-01-10/26/390056.html: '从今年三月中旬开始，三峡将向广东"
                  "送电'; 3 GW: SDPC's 2003 allocation plan, "
                  "http://en.people.cn/200307/07/eng20030707_119615.shtml: 'designed transmitting "
                  "capacity of ... 3 million kw'); kind: fact (DC), not the 900 km rule")

#: Conventional hydro hours where pumped storage is more than 20% of hydro, so the ratio of the
#: NBS hydro output (pumped storage included) to conventional capacity is an upper bound only;
#: used where the national default would exceed the province's whole reported hydro output.
HYDRO_UPPER_BOUND = {
    "Liaoning": (1583, ("derived: upper bound: 2024 hydro generation 5.31 TWh (which includes pumped-"
                        "storage output) / conventional hydro capacity 3.36 GW (Dec 2024 hydro 4.56 GW "
                        "minus pumped storage 1.2 GW); [CEIC] energyandcleanair/china_co2 "
                        "inst/csv/power_generation_by_province_and_source.csv 'Output: Hydro Power "
                        "Generating Capacity: Liaoning: YTD' 2024-12 and "
                        "inst/csv/power_capacity_by_province&type.csv; pumped storage is 26% of "
                        "Liaoning's hydro, so the rule of the other provinces gives no hours, and the "
                        "national default (3,349 h) would make 11.2 TWh of conventional hydro, twice "
                        "the province's whole reported hydro output")),
}

def mine_mouth_rows() -> list[list]:
    out = []
    for pid, (freight, hub, route) in COASTAL.items():
        v = round(freight / 6.3965, 2)
        out.append([pid, "coal_price_difference", 2024, v, "CNY/MWh",
                    f"proxy: {freight} CNY/t / 6.3965 MWh/t = {v} CNY/MWh_th: coastal freight "
                    f"{route}, the route rate china_hubs region_parameters.csv uses for {hub} (the "
                    "Ministry of Transport's monthly tables of the Shanghai Shipping Exchange's "
                    "rates, 2017-2019 midpoint); the province's coal plants burn seaborne coal"])
    for pid, (mid, kind, what) in MINE_MOUTH.items():
        diff = mid - 670.0
        v = round(diff / 6.3965, 2)
        out.append([pid, "coal_price_difference", 2024, v, "CNY/MWh",
                    f"{kind}: {diff:+.0f} CNY/t / 6.3965 MWh/t = {v} CNY/MWh_th; {diff:+.0f} CNY/t "
                    f"= midpoint of {what} minus that of Qinhuangdao port coal (570-770, mid 670), "
                    f"{NDRC_303}; technologies.csv coal fuel_cost is the port price"])
    return out


GEM_COMMIT = "a10678a"
GEM_DIR = "resources/data/existing_infrastructure"
GEM_COAL = "Global-Coal-Plant-Tracker-add-CHP.xlsx"
GEM_GAS = "Global-Gas-Plant-Tracker-GGPT-February-2023-v2.xlsx"
#: Heating seasons (day of year) of the northern provinces outside the hubs, for heat-led CHP.
#: Assumptions, as china_hubs's IM row: city practice, regulation texts not retrieved here.
HEATING = {
    "SX": (319, 74, "15 November to 15 March, the northern urban norm (as BTH's Beijing regulation)"),
    "SD": (319, 74, "15 November to 15 March, the northern urban norm (as BTH's Beijing regulation)"),
    "HA": (319, 74, "15 November to 15 March, the northern urban norm (as BTH's Beijing regulation)"),
    "SN": (319, 74, "15 November to 15 March, the northern urban norm (as BTH's Beijing regulation)"),
    "LN": (305, 90, "1 November to 31 March (Shenyang practice; as china_hubs's GS and NX rows)"),
    "JL": (298, 100, "25 October to 10 April (Changchun practice)"),
    "HL": (293, 110, "20 October to 20 April (Harbin practice)"),
    "QH": (288, 105, "15 October to 15 April (Xining practice, as china_hubs's IM row)"),
    "XJ": (283, 100, "10 October to 10 April (Urumqi practice)"),
}


def gem_rows(pik_repo: Path) -> tuple[list[list], list[list]]:
    """Gas share of thermal (provinces.csv) and CHP shares of coal and gas (region_parameters.csv)
    of the 17 provinces outside the hubs, from Global Energy Monitor's trackers as PIK copies them
    (china_hubs's method for the hubs' CHP shares); heating seasons of the northern ones."""
    import pandas as pd

    def sheet(name: str, tab: str) -> pd.DataFrame:
        raw = subprocess.run(["git", "-C", str(pik_repo), "show", f"{GEM_COMMIT}:{GEM_DIR}/{name}"],
                             capture_output=True, check=True).stdout
        df = pd.read_excel(io.BytesIO(raw), sheet_name=tab)
        return df[(df["Country"] == "China") & (df["Status"] == "operating")]

    prov = "Subnational unit (province, state)"
    coal, gas = sheet(GEM_COAL, "Units"), sheet(GEM_GAS, "Gas Units")
    where = (f"[PIK] pik-piam/PyPSA-China-PIK @{GEM_COMMIT} {GEM_DIR}/")
    coal_src = (f"Global Energy Monitor's Global Coal Plant Tracker (July 2023, CC BY 4.0) with PIK's "
                f"CHP column, copy in {where}{GEM_COAL}, sheet Units, Country China, Status "
                "operating")
    gas_src = (f"Global Energy Monitor's Global Gas Plant Tracker (February 2023, CC BY 4.0), copy "
               f"in {where}{GEM_GAS}, sheet Gas Units, Country China, Status operating")
    p_rows: list[list] = []
    r_rows: list[list] = []
    for pid, name, *_ in PROVINCES:
        if HUB_OF[pid] is not None:
            continue
        c = coal[coal[prov] == name]
        g = gas[gas[prov] == name]
        c_mw, g_mw = float(c["Capacity (MW)"].sum()), float(g["Capacity elec. (MW)"].sum())
        c_chp = float(c.loc[c["CHP"] == "Y", "Capacity (MW)"].sum())
        g_chp = float(g.loc[g["CHP"] == "Y", "Capacity elec. (MW)"].sum())
        if c_mw + g_mw > 0:
            share = g_mw / (c_mw + g_mw)
            p_rows.append([name, "gas_share_thermal", 2023, round(share, 4), "1",
                           f"derived: operating gas {g_mw / 1e3:.2f} GW / (gas + coal {c_mw / 1e3:.2f}"
                           f" GW) in {name}: {gas_src}; {coal_src} (units of 50 MW and more for gas"
                           ", so a lower bound; replaces the national share)"])
        if c_mw > 0:
            r_rows.append([pid, "chp_share", 2024, round(c_chp / c_mw, 3), "1",
                           f"derived: operating coal units flagged CHP: {c_chp / 1e3:.2f} GW of "
                           f"{c_mw / 1e3:.2f} GW in {name} = {c_chp / c_mw:.3f}; {coal_src}, CHP = Y "
                           "(china_hubs's method)"])
        if g_mw > 0:
            r_rows.append([pid, "chp_share_gas", 2024, round(g_chp / g_mw, 3), "1",
                           f"derived: operating gas units flagged CHP: {g_chp / 1e3:.2f} GW of "
                           f"{g_mw / 1e3:.2f} GW in {name} = {g_chp / g_mw:.3f}; {gas_src}, CHP = Y "
                           "(china_hubs's method)"])
        if pid in HEATING:
            start, end, what = HEATING[pid]
            for param, day in (("heating_start", start), ("heating_end", end)):
                r_rows.append([pid, param, "", day, "day",
                               f"assumption: heating season {what}, days {start} to {end}; "
                               "regulation text not retrieved for this dataset"])
    return p_rows, r_rows


def git_show(repo: Path, path: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "show", f"HEAD:{path}"], capture_output=True,
                          check=True).stdout.decode("utf-8-sig")


def ceic(repo: Path, name: str) -> dict[str, dict[str, float]]:
    """A CEIC export of the china_co2 repository: series name -> {YYYY-MM: value}."""
    rows = list(csv.reader(io.StringIO(git_show(repo, f"inst/csv/{name}"))))
    names = next(r for r in rows if r and r[0] == "Name")[1:]
    out: dict[str, dict[str, float]] = {}
    for r in rows:
        if r and len(r[0]) == 7 and r[0][4] == "-" and r[0][:4].isdigit():
            for n, v in zip(names, r[1:], strict=False):
                v = v.replace(",", "").strip()
                if v:
                    out.setdefault(n, {})[r[0]] = float(v)
    return out


def find(series: dict[str, dict[str, float]], *parts: str) -> tuple[str, dict[str, float]]:
    hits = [k for k in series if all(p in k for p in parts)]
    if len(hits) != 1:
        raise KeyError(f"{parts}: {hits}")
    return hits[0], series[hits[0]]


def row(key: str, param: str, year: int | str, value: float, unit: str, source: str) -> list:
    return [key, param, year, f"{value:.6g}" if isinstance(value, float) else value, unit, source]


def province_rows(ceic_repo: Path, pik_repo: Path) -> list[list]:
    cap = ceic(ceic_repo, "power_capacity_by_province&type.csv")
    gen = ceic(ceic_repo, "power_generation_by_province_and_source.csv")
    use = ceic(ceic_repo, "wind_solar_utilization_capacity_by_province.csv")
    cur = ceic(ceic_repo, "curtailment.csv")
    phs = dict(line.split(",") for line in git_show(
        pik_repo, "resources/data/hydro/PHS_p_nom.csv").strip().splitlines()[1:])
    nuc = dict(line.split(",") for line in git_show(
        pik_repo, "resources/data/p_nom/nuclear_p_nom.csv").strip().splitlines()[1:])
    capf = "inst/csv/power_capacity_by_province&type.csv"
    genf = "inst/csv/power_generation_by_province_and_source.csv"
    rows: list[list] = []
    for pid, name, *_ in PROVINCES:
        if HUB_OF[pid] is not None:
            continue
        p = name
        pk = name.replace(" ", "")
        cname, cons = find(gen, f"Power Consumption: {p}: YTD")
        d24, d19 = cons["2024-12"] / 1e5, cons["2019-12"] / 1e5  # 10^4 kWh -> TWh
        rows.append(row(p, "demand", 2024, round(d24, 2), "TWh",
                        f"{CEIC} {genf} '{cname}' 2024-12 (10^4 kWh) = {d24:.2f} TWh"))
        g = (d24 / d19) ** 0.2 - 1
        rows.append(row(p, "demand_growth", 2024, round(g, 4), "1/year",
                        f"derived: ({d24:.2f} TWh 2024 / {d19:.2f} TWh 2019)^(1/5) - 1, "
                        f"{CEIC} {genf} '{cname}' 2019-12 and 2024-12 (same rule as china_hubs)"))
        tname, th = find(cap, f"China: {p}: Power Generating Capacity", "Thermal Power")
        rows.append(row(p, "capacity_thermal", 2024, th["2024-12"] / 100, "GW",
                        f"{CEIC} {capf} '{tname}' 2024-12 (plants >= 6 MW; coal + gas + other "
                        "thermal)"))
        if p == "Tibet":  # no CEIC hydro series for Tibet
            hy = {}
            rows.append(row(p, "capacity_hydro", 2025, 6.98, "GW",
                            f"{BB} docs/各省数据2025/西藏.md table 1: 水电 ≈6,980 MW at end-2025 "
                            "(estimate from the clean-energy shares of Tibet's 13 GW, Tibet "
                            "government 2025-12-19); no hydro series for Tibet in "
                            f"{CEIC} {capf}; year 2025, not 2024"))
        else:
            hname, hy = find(cap, f"China: {p}: Power Generating Capacity", "Hydropower")
            rows.append(row(p, "capacity_hydro", 2024, hy["2024-12"] / 100, "GW",
                            f"{CEIC} {capf} '{hname}' 2024-12 (includes pumped storage)"))
        nk = [k for k in cap if f"China: {p}:" in k and "Nuclear" in k]
        if nk:
            rows.append(row(p, "capacity_nuclear", 2024, cap[nk[0]]["2024-12"] / 100, "GW",
                            f"{CEIC} {capf} '{nk[0]}' 2024-12"))
        else:
            mw = float(nuc[pk])
            src = (f"{PIK} resources/data/p_nom/nuclear_p_nom.csv '{pk}' = {mw:g} MW (no nuclear "
                   f"series for {p} in {CEIC} {capf}")
            src += ("; Shandong's Haiyang 1-2 and Shidaowan HTR-PM; later units not counted)"
                    if mw > 0 else ")")
            rows.append(row(p, "capacity_nuclear", 2024 if mw == 0 else 2021, mw / 1e3, "GW", src))
        wname, wi = find(cap, f"China: {p}: Power Gen", "Wind Power")
        rows.append(row(p, "capacity_wind", 2024, wi["2024-11"] / 100, "GW",
                        f"{CEIC} {capf} '{wname}' 2024-11 (latest month; plants >= 6 MW, slight "
                        "undercount)"))
        sname, so = find(cap, f"China: {p}: Installed Capacity: Solar Power Generation: YTD")
        rows.append(row(p, "capacity_solar", 2024, so["2024-12"] / 100, "GW",
                        f"{CEIC} {capf} '{sname}' 2024-12 (incl. distributed)"))
        whname, wh = find(use, f"China: {p}: Average Utilization Hours", "Wind Power")
        rows.append(row(p, "wind_hours", 2023, wh["2023-12"], "h",
                        f"{CEIC} inst/csv/wind_solar_utilization_capacity_by_province.csv "
                        f"'{whname}' 2023-12 (2024 full year not reported)"))
        shname, sh = find(use, f"China: {p}: Average Utilization Hours: Solar")
        rows.append(row(p, "solar_hours", 2024, round(sh["2024-11"] * 12 / 11, 1), "h",
                        f"derived: {sh['2024-11']:g} h (Jan-Nov 2024) x 12/11, {CEIC} "
                        f"inst/csv/wind_solar_utilization_capacity_by_province.csv '{shname}' "
                        "2024-11"))
        cp = "Xizang" if p == "Tibet" else p
        for tech, label in (("wind", "Wind Power"), ("solar", "Photovoltaic Power")):
            k = f"China: {cp}: {label} Utilization Rate"
            vals = [v for m, v in cur.get(k, {}).items() if m.startswith("2024-")]
            if len(vals) == 12:
                rows.append(row(p, f"{tech}_utilisation", 2024, round(sum(vals) / 1200, 4), "1",
                                f"derived: simple mean of the 12 monthly 2024 values of '{k}' "
                                f"(national new-energy monitoring centre), {CEIC} "
                                "inst/csv/curtailment.csv"))
        mw_phs = float(phs[pk])
        rows.append(row(p, "capacity_pumped_hydro", 2021, mw_phs / 1e3, "GW",
                        f"{PIK} resources/data/hydro/PHS_p_nom.csv '{pk}' = {mw_phs:g} MW (file "
                        "total 36.39 GW = national pumped storage at end-2021, hence year 2021; "
                        "understates 2024)"))
        # Hydro hours only where pumped storage is a small part of hydro (its output is in the
        # NBS hydro series too); otherwise the national default applies.
        hk = [k for k in gen if k == f"Output: Hydro Power Generating Capacity: {p}: YTD"]
        hydro_mean = (hy["2023-12"] + hy["2024-12"]) / 200 if hy else 0.0
        if p in HYDRO_UPPER_BOUND:
            rows.append(row(p, "hydro_hours", 2024, HYDRO_UPPER_BOUND[p][0], "h",
                            HYDRO_UPPER_BOUND[p][1]))
        elif hk and hydro_mean >= 1 and mw_phs / 1e3 <= 0.2 * hydro_mean:
            e = gen[hk[0]]["2024-12"] / 1e5  # 10^4 kWh -> TWh
            conv = hydro_mean - mw_phs / 1e3
            rows.append(row(p, "hydro_hours", 2024, round(e * 1e3 / conv), "h",
                            f"derived: 2024 hydro generation {e:.2f} TWh / mean conventional hydro "
                            f"capacity {conv:.2f} GW (mean of Dec 2023 and Dec 2024 hydro "
                            f"{hydro_mean:.2f} GW minus pumped storage {mw_phs / 1e3:g} GW); {CEIC} "
                            f"{genf} '{hk[0]}' 2024-12 and {capf}"))
        tk = f"Output: Thermal Power Generating Capacity: {p}: YTD"
        if tk in gen and "2023-12" in th:
            e = gen[tk]["2024-12"] / 1e5
            mean_cap = (th["2023-12"] + th["2024-12"]) / 200
            rows.append(row(p, "thermal_hours", 2024, round(e * 1e3 / mean_cap), "h",
                            f"derived: 2024 thermal generation {e:.2f} TWh / mean thermal capacity "
                            f"{mean_cap:.2f} GW (Dec 2023 and Dec 2024), {CEIC} {genf} '{tk}' "
                            f"2024-12 (10^4 kWh) and {capf} (china_hubs uses the monthly "
                            "trapezoid; the two differ by under 1%)"))
        if p in COAL_BENCHMARK:
            v, src = COAL_BENCHMARK[p]
        elif p in DESULPHURISED:
            v = DESULPHURISED[p]
            src = f"{TABLE_SOURCE}: {p} {v / 1000:g} CNY/kWh"
        else:
            v, src = NO_TABLE[p]
        rows.append(row(p, "coal_price", 2025 if p in COAL_BENCHMARK else 2019, v, "CNY/MWh", src))
    return rows


def reported_rows(ceic_repo: Path, rows: list[list]) -> list[list]:
    """2024 generation by technology and net exchange of every province, for the calibration
    checks only (docs/calibration.md, "Provinces (issue 18)"); the loader does not read them.

    Thermal, hydro (pumped storage output included) and nuclear are CEIC's provincial output of
    plants above designated size. CEIC's provincial wind output is empty after April 2024 and its
    solar output leaves out distributed plants, so wind and solar are derived: mean of the Dec 2023
    and latest 2024 capacity x the province's reported hours (provinces.csv). No provincial table
    of 2024 inter-provincial exchanges was found (CEIC has no send-out/receipt series), so the net
    exchange is derived as each province's generation scaled to the national consumption (a closed
    mainland: plant own use, losses and the statistical difference spread pro rata) minus its
    consumption.
    """
    gen = ceic(ceic_repo, "power_generation_by_province_and_source.csv")
    cap = ceic(ceic_repo, "power_capacity_by_province&type.csv")
    genf = "inst/csv/power_generation_by_province_and_source.csv"
    capf = "inst/csv/power_capacity_by_province&type.csv"
    value = {(r[0], r[1]): float(r[3]) for r in rows}
    out: list[list] = []
    total: dict[str, float] = {}
    for _, p, *_ in PROVINCES:
        g = 0.0
        for tech, series in (("thermal", f"Output: Thermal Power Generating Capacity: {p}: YTD"),
                             ("hydro", f"Output: Hydro Power Generating Capacity: {p}: YTD"),
                             ("nuclear", f"Output: Nuclear Power: {p}: YTD")):
            e = gen.get(series, {}).get("2024-12", 0.0) / 1e5  # 10^4 kWh -> TWh
            g += e
            src = (f"{CEIC} {genf} '{series}' 2024-12 (10^4 kWh; plants above designated size"
                   + ("; includes pumped-storage output)" if tech == "hydro" else ")")
                   if series in gen else f"no '{series}' in {CEIC} {genf}: none reported")
            out.append(row(p, f"generation_{tech}", 2024, round(e, 2), "TWh", src))
        for tech, label, last in (("wind", "Wind Power", "2024-11"),
                                  ("solar", "Installed Capacity: Solar Power Generation", "2024-12")):
            k = next(k for k in cap if k.startswith(f"China: {p}:") and label in k)
            mean_cap = (cap[k]["2023-12"] + cap[k][last]) / 200  # 10 MW -> GW
            h = value[(p, f"{tech}_hours")]
            e = mean_cap * h / 1e3
            g += e
            out.append(row(p, f"generation_{tech}", 2024, round(e, 2), "TWh",
                           f"derived: mean capacity {mean_cap:.2f} GW (Dec 2023 and {last}, {CEIC} "
                           f"{capf} '{k}') x {h:g} h ({tech}_hours of this file); CEIC's provincial "
                           f"{tech} output is " + ("empty after April 2024" if tech == "wind"
                                                   else "that of plants above designated size, "
                                                   "without distributed solar")))
        total[p] = g
    national_g = sum(total.values())
    national_d = sum(value[(p[1], "demand")] for p in PROVINCES)
    scale = national_d / national_g
    for _, p, *_ in PROVINCES:
        d = value[(p, "demand")]
        net = total[p] * scale - d
        out.append(row(p, "net_export", 2024, round(net, 1), "TWh",
                       f"derived: generation {total[p]:.1f} TWh (generation_* rows) x {scale:.4f} "
                       f"(national consumption {national_d:,.0f} / the provinces' generation "
                       f"{national_g:,.0f} TWh: own use, losses and statistical difference spread "
                       f"pro rata) - consumption {d:.1f} TWh; positive = sends out. No published "
                       "2024 table of provincial send-out/receipt was found (CEIC has none)"))
    return out


def great_circle(a: tuple[float, float], b: tuple[float, float]) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(h))


#: Each province's regional grid (compute exports count only between them), as in china_hubs.
GRID_REGION = {
    **dict.fromkeys(("BJ", "TJ", "HE", "SX", "SD", "NM"), "North China"),
    **dict.fromkeys(("LN", "JL", "HL"), "Northeast"),
    **dict.fromkeys(("SH", "JS", "ZJ", "AH", "FJ"), "East China"),
    **dict.fromkeys(("HA", "HB", "HN", "JX"), "Central"),
    **dict.fromkeys(("SC", "CQ", "XZ"), "Southwest"),
    **dict.fromkeys(("SN", "GS", "QH", "NX", "XJ"), "Northwest"),
    **dict.fromkeys(("GD", "GX", "YN", "GZ", "HI"), "South"),
}
GRID_SOURCE = ("grid region: State Grid's regional branches (North China: Beijing, Tianjin, Hebei, "
               "Shanxi, Shandong; Northeast: Liaoning, Jilin, Heilongjiang; East China: Shanghai, "
               "Jiangsu, Zhejiang, Anhui, Fujian; Central: Henan, Hubei, Hunan, Jiangxi; Southwest: "
               "Sichuan, Chongqing, Tibet, split from Central China in 2017; Northwest: Shaanxi, "
               "Gansu, Qinghai, Ningxia, Xinjiang) and China Southern Power Grid (Guangdong, "
               "Guangxi, Yunnan, Guizhou, Hainan), as in china_hubs regions.csv; Inner Mongolia "
               "as one region in North China (its western grid, which holds most of its load and "
               "the hub's cluster; the eastern part belongs to the Northeast grid)")


def write(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


#: Rows of the national files where china_provinces keeps its own value (row key -> row, or None:
#: left out): the reserve margin's and the credits' sources speak of the provinces, not the hubs,
#: and ``default_max_new`` is a rule of the hub dataset's eight corridors (its row says why). The
#: rest of issue 17's national rules hold here as in china_hubs (lead time from approval, the
#: collector limits). The hydro credit's figures are derived in :func:`hydro_credit_row`.
SOUTHERN_OBSERVER = ("Southern Energy Observer (南方能源观察), '科普:什么是电力电量平衡?', 12 Oct "
                     "2020, via http://m.lmroom.cn/article/41277.html")
NATIONAL_OWN: dict[str, dict[tuple[str, ...], list | None]] = {
    "technologies.csv": {
        ("solar", "capacity_credit", ""): [
            "solar", "capacity_credit", "", "0", "1",
            "derived: the provincial power balance counts solar 100% derated, as it cannot produce "
            f"at the evening peak (光伏100%受阻(晚高峰无法出力)), {SOUTHERN_OBSERVER}; the "
            "provinces' joint peak is at 19:00 on 15 July in the profiles, after sunset in the "
            "east; capacity credit of PV without storage is zero when the riskiest hours are after "
            "sunset (Wikipedia 'Capacity credit', http://cryer.org.uk/capacity_value)"],
    },
    "parameters.csv": {
        ("reserve_margin", ""): [
            "reserve_margin", "", "0.12", "1",
            "derived: the reasonable reserve rate (合理备用率) of Jiangsu and Zhejiang in the "
            "provincial power balance, 12% (Hainan 20%: the rate falls with the size of the grid; "
            "it covers load, contingency, maintenance and additional reserve), "
            f"{SOUTHERN_OBSERVER}; two of the largest provincial grids, so the rate of a large grid "
            "for the 31 provinces pooled at their joint peak (the source applies it to each "
            "province's own peak, so pooled it asks less); the same source counts wind at 5% and "
            "solar at 0 at the evening peak, hydro by season, CHP units 15% derated (not modelled: "
            "read here as the heat-extraction limit of the heating season, and the joint peak is in "
            "July), other thermal, nuclear and pumped storage in full; was 0.15, an assumption "
            "(upper end of 12-15%; Lin, Kahrl & Liu 2018, "
            "https://eaei.lbl.gov/publications/regional-analysis-excess-capacity)"],
    },
    "transmission.csv": {
        ("default_max_new", "2024"): [
            "default_max_new", "2024", "8", "GW",
            "assumption: one new +-800 kV UHV DC line (8 GW, the rating of Ningdong-Shaoxing and "
            "Jiuquan-Hunan, lines.csv) per corridor by 2030; a corridor's own max_new in "
            "line_parameters.csv replaces it. Kept, not china_hubs' 4 GW: that figure splits the "
            "hub-to-hub third of the national pace (96 GW of +-800 kV DC lines approved 2026-2028 "
            "that can serve by 2030) over the hub dataset's eight corridors without a planned "
            "line; the same split over this dataset's 57 lines without a max_new of their own "
            "would be 1.7 GW each, but most are ties between neighbouring provinces (37 of the 59 "
            "are PIK corridors under 900 km, kind ac) whose reinforcement that DC pace does not "
            "count, and no pace of AC reinforcement was found; the national pace bounds the sum "
            "over corridors, which no "
            "per-corridor figure states (docs/data.md, gaps). Sensitivity 0-16 GW (no new line, "
            "or two, on each corridor): docs/calibration.md"],
    },
}


def hydro_credit_row(ceic_repo: Path, prov_rows: list[list]) -> list:
    """Hydro's capacity credit of the 31 provinces: their July 2024 hydro output over their
    conventional hydro (capacity_hydro less capacity_pumped_hydro) x 744 h, as china_hubs
    derives the hubs' (the month of the joint peak; August as the check)."""
    gen = ceic(ceic_repo, "power_generation_by_province_and_source.csv")
    cap: dict[str, float] = {}
    for r in prov_rows:
        if r[1] in ("capacity_hydro", "capacity_pumped_hydro"):
            sign = 1.0 if r[1] == "capacity_hydro" else -1.0
            cap[r[0]] = cap.get(r[0], 0.0) + sign * float(r[3])
    conventional = sum(cap.values())

    def month_twh(month: str, before: str) -> float:
        total = 0.0
        for name in cap:
            series = gen.get(f"Output: Hydro Power Generating Capacity: {name}: YTD")
            if series is None:  # Shanghai: no hydro series (and no conventional hydro)
                continue
            total += (series[month] - series[before]) / 1e5  # 10 MWh -> TWh
        return total

    july, august = month_twh("2024-07", "2024-06"), month_twh("2024-08", "2024-07")
    credit = round(july / (conventional * 0.744), 3)
    return ["hydro", "capacity_credit", "", f"{credit:g}", "1",
            f"derived: hydro output at the July peak: the 31 provinces' hydro output in July 2024, "
            f"{july:.2f} TWh, over their {conventional:.1f} GW of conventional hydro (provinces.csv "
            f"capacity_hydro less capacity_pumped_hydro) x 744 h = {credit:g}; the joint peak of "
            "the profiles falls in July (hubs: 17 July 19:00; provinces: 15 July 19:00), as the "
            "reported records do (Guangdong 152 GW on 24 July 2024, via "
            "http://122.224.56.14:8082/api/data.php?t=mNd.html), so hydro counts its wet-season "
            "output, not its dry-season floor (Sichuan March 2024: 0.29); [CEIC] "
            "energyandcleanair/china_co2 inst/csv/power_generation_by_province_and_source.csv "
            "'Output: Hydro Power Generating Capacity: <province>: YTD' July minus June 2024 "
            f"(August gives {august / (conventional * 0.744):.3f}); the month's mean, a lower bound "
            "for reservoirs that shift energy into the peak hours; the provinces' series include "
            "pumped-storage output, which raises the figure by at most about 0.02 (if pumped "
            "storage gave half of the eastern provinces' July output); was 0.5, an assumption "
            "(range 0.29 to 1.0)"]


def own_key(fields: list[str], keys: Iterable[tuple[str, ...]]) -> tuple[str, ...] | None:
    """The key of ``keys`` (a row's leading fields) that a CSV row starts with, if any."""
    return next((k for k in keys if tuple(fields[:len(k)]) == k), None)


def write_national(name: str, own: dict[tuple[str, ...], list | None]) -> None:
    """Copy a national file of china_hubs line by line (its quoting kept), with the rows the
    province dataset keeps its own (``own``: row key -> row, or None to leave the row out)."""
    out, used = [], set()
    for line in (HUBS / name).read_text(encoding="utf-8").splitlines():
        fields = next(csv.reader([line]))
        key = own_key(fields, own)
        if key is None:
            out.append(line)
            continue
        used.add(key)
        if own[key] is not None:
            buf = io.StringIO()
            csv.writer(buf, lineterminator="").writerow(own[key])
            out.append(buf.getvalue())
    if missing := set(own) - used:
        raise KeyError(f"{HUBS / name}: no row {sorted(missing)} to replace")
    (OUT / name).write_text("\n".join(out) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ceic", type=Path, required=True, help="git dir of energyandcleanair/china_co2")
    ap.add_argument("--pik", type=Path, required=True, help="git dir of pik-piam/PyPSA-China-PIK")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    for f in ("currency.csv", "compute_parameters.csv", "hydrogen_parameters.csv"):
        shutil.copyfile(HUBS / f, OUT / f)

    hub_rows = list(csv.reader((HUBS / "provinces.csv").open(encoding="utf-8")))
    header = hub_rows[0]
    new = province_rows(args.ceic, args.pik)
    order = {p[1]: i for i, p in enumerate(PROVINCES)}
    allrows = sorted(hub_rows[1:] + new, key=lambda r: order[r[0]])
    gem_provinces, gem_regions = gem_rows(args.pik)
    allrows = sorted(allrows + gem_provinces + reported_rows(args.ceic, allrows),
                     key=lambda r: order[r[0]])
    write(OUT / "provinces.csv", header, allrows)
    own = dict(NATIONAL_OWN)
    own["technologies.csv"] = {**own["technologies.csv"], ("hydro", "capacity_credit", ""):
                               hydro_credit_row(args.ceic, allrows)}
    for f, rows in own.items():
        write_national(f, rows)

    # Regions: one per province.
    hub_regions = {r["region"]: r for r in csv.DictReader((HUBS / "regions.csv").open())}
    regions = []
    for pid, name, zh, hub, role, city, lat, lon, tj, tl in PROVINCES:
        h = hub_regions.get(hub) if hub else None
        if h is not None and city == h["location"]:
            src = f"as china_hubs regions.csv {hub} (the hub's cluster city): {h['source']}"
        elif h is not None and city.split(" (")[0] == h["location"].split(" (")[0]:
            src = f"as china_hubs regions.csv {hub}: {h['source']}"
        else:
            src = city_source(pid)
        regions.append([pid, name, zh, role, GRID_REGION[pid], name, city, lat, lon, "", tj, tl,
                        f"{src}; {GRID_SOURCE}"])
    write(OUT / "regions.csv", ["region", "name", "name_zh", "role", "grid_region", "provinces",
                                "location", "lat", "lon", "climate", "t_jan", "t_jul", "source"],
          regions)
    write(OUT / "external_regions.csv", ["region", "name", "provinces", "source"], [])

    demand = {r[0]: float(r[3]) for r in allrows if r[1] == "demand"}
    rp = list(csv.reader((HUBS / "region_parameters.csv").open(encoding="utf-8")))
    out_rp = []
    for pid, *_ in PROVINCES:
        hub = HUB_OF[pid]
        if hub:
            for r in rp[1:]:
                if r[0] == hub:
                    out_rp.append([pid, r[1], r[2], r[3], r[4],
                                   f"hub value of {hub} applied to its member province: {r[5]}"])
        else:
            out_rp.append([pid, "pue", 2025, 1.3, "1",
                           "assumption: new large data centres outside the hub nodes, PUE below 1.3 "
                           "(2021 national plan for new large DCs, reference data sheet section 3; "
                           "hub nodes 1.25)"])
    out_rp += mine_mouth_rows() + gem_regions + trade_limit_rows()
    write(OUT / "region_parameters.csv", rp[0], out_rp)

    # Compute: demand origin by tertiary GDP (as china_hubs), capacity in the clusters.
    gdp = ceic(args.ceic, "Regional_GDP_complete.csv")

    def gdp_of(p: str, part: str) -> tuple[float, str]:
        alias = {"Beijing": "Beijing Municipality", "Shanghai": "Shanghai Municipality"}.get(p, p)
        k = f"China: {alias}: GDP: {part} Industry: YTD"
        return gdp[k].get("2024-12", 0.0), k

    comp = list(csv.reader((HUBS / "compute.csv").open(encoding="utf-8")))
    hub_comp = {(r[0], r[1]): r for r in comp[1:]}
    hub_members = {h: [p[0] for p in PROVINCES if p[3] == h] for h in CLUSTER}
    tert_total = sum(gdp_of(NAME[p], "Tertiary")[0] for h in hub_members for p in hub_members[h])
    out_c = []
    for pid, name, *_ in PROVINCES:
        hub = HUB_OF[pid]
        if hub is None:
            why = (f"assumption: {name} is outside the eight hubs: no data-centre cluster of the "
                   "compute module (its data centres are in its ordinary demand)")
            out_c += [[pid, "dc_capacity_existing", 2024, 0, "MW", why],
                      [pid, "demand_share", 2024, 0.0, "1", why + "; compute demand originates in "
                       "the hub provinces only"],
                      [pid, "utilisation_max", 2025, 0.65, "1", why + "; 0.65 as the western "
                       "hubs of china_hubs (used only if the scenario lets it build)"]]
            continue
        cl = CLUSTER[hub]
        if pid in cl:
            base = hub_comp[(hub, "dc_capacity_existing")]
            w = demand[name] / sum(demand[NAME[q]] for q in cl)
            out_c.append([pid, "dc_capacity_existing", 2024, round(float(base[3]) * w, 1), "MW",
                          f"derived: {hub} hub's {base[3]} MW (china_hubs compute.csv) x {w:.4f}, "
                          f"placed in the hub's cluster province(s) {', '.join(cl)} by 2024 "
                          f"electricity demand (assumption). Hub row: {base[5]}"])
        else:
            out_c.append([pid, "dc_capacity_existing", 2024, 0, "MW",
                          f"assumption: the {hub} hub's data-centre cluster is placed in "
                          f"{', '.join(cl)}; this member province has none in the compute module "
                          "(its data centres are in its ordinary demand)"])
        t, k = gdp_of(name, "Tertiary")
        out_c.append([pid, "demand_share", 2024, round(t / tert_total, 5), "1",
                      f"derived: tertiary-industry GDP {t:,.0f} of the 14 hub provinces' "
                      f"{tert_total:,.0f} (CNY 100 mn), {CEIC} inst/csv/Regional_GDP_complete.csv "
                      f"'{k}' 2024-12 (china_hubs rule: services originate compute demand)"])
        um = hub_comp[(hub, "utilisation_max")]
        out_c.append([pid, "utilisation_max", 2025, um[3], "1", f"as {hub} in china_hubs: {um[5]}"])
    # rounding: put the residue of the shares on the largest origin
    shares = [r for r in out_c if r[1] == "demand_share"]
    resid = round(1 - sum(r[3] for r in shares), 5)
    max(shares, key=lambda r: r[3])[3] = round(max(r[3] for r in shares) + resid, 5)
    write(OUT / "compute.csv", comp[0], out_c)

    # Latency between the hub provinces (the compute module's regions), as china_hubs: route
    # factor 1.25, 5 us/km each way, 1 ms equipment.
    coords = {p[0]: (p[6], p[7]) for p in PROVINCES}
    city = {p[0]: p[5].split(" (")[0] for p in PROVINCES}
    lat_rows = []
    ids = [p[0] for p in PROVINCES]
    for a in ids:
        for b in ids:
            if a == b:
                continue
            km = great_circle(coords[a], coords[b])
            rtt = 2 * km * 1.25 * 5e-3 + 1
            lat_rows.append([a, b, round(rtt, 1),
                             f"derived: great-circle {city[a]}-{city[b]} {km:,.0f} km (regions.csv "
                             f"lat/lon) x route factor 1.25 = {km * 1.25:,.0f} km of fibre; round trip"
                             f" = 2 x {km * 1.25:,.0f} km x 5 us/km + 1 ms equipment = {rtt:.1f} ms "
                             "(china_hubs rule, docs/data.md Data centres)"])
    write(OUT / "latency.csv", ["origin", "destination", "rtt_ms", "source"], lat_rows)

    # Hydrogen: share of national secondary-industry GDP (china_hubs rule, same denominator).
    h2 = list(csv.reader((HUBS / "hydrogen.csv").open(encoding="utf-8")))
    out_h = []
    denominator = 480_338.0
    for pid, name, *_ in PROVINCES:
        s, k = gdp_of(name, "Secondary")
        note = ""
        if name == "Henan":
            s, note = 22_175.0, " (Henan's 2024 value not reported: its 2023 value 22,175, as china_hubs)"
        if s == 0:
            out_h.append([pid, "h2_demand_share", 2024, 0, "1",
                          f"gap: {name}'s 2024 secondary-industry GDP is not reported in {CEIC} "
                          "inst/csv/Regional_GDP_complete.csv; 0 (TODO: a later source; Xinjiang's "
                          "coal chemicals are a real hydrogen demand)"])
            continue
        out_h.append([pid, "h2_demand_share", 2024, round(s / denominator, 4), "1",
                      f"derived: secondary-industry GDP {s:,.0f} of 480,338 (CNY 100 mn; china_hubs "
                      f"denominator: 28 provinces of 2024-12 plus Henan 2023), {CEIC} "
                      f"inst/csv/Regional_GDP_complete.csv '{k}' 2024-12{note}; china_hubs rule"])
    for r in h2[1:]:
        if r[1] == "electrolyser_existing":
            out_h.append([{"IM": "NM"}.get(r[0], r[0]), *r[1:5], f"as china_hubs: {r[5]}"])
    write(OUT / "hydrogen.csv", h2[0], out_h)

    # Lines: PIK corridors, oriented from the sending province where a contract is known.
    edges = [ln.split(",") for ln in git_show(
        args.pik, "resources/data/grids/edges_current.csv").strip().splitlines()]
    pik_name = {n.replace(" ", ""): i for n, i in ID.items()}
    hub_lp = {(r[0], r[1]): r for r in csv.reader((HUBS / "line_parameters.csv").open())}
    # (sender, receiver): the dedicated china_hubs lines whose contracts the corridor carries, with
    # the share of each: 1 where the corridor is the line, else the corridor's share of the
    # aggregate's capacity (cy_yrd_other_dc: Xiangjiaba-Shanghai 6.4, Jinping-Sunan 7.2,
    # Xiluodu-Zhexi and Baihetan-Zhejiang 16 of 29.6 GW; im_bth_existing: Beijing 9, Hebei 3.95 of
    # 12.95 GW). The hub dataset's *net* schedules to external regions (ext_*, yg_gba_existing,
    # im_ext_northeast, gs_ext_northwest) are not carried: between provinces those flows are the
    # model's to decide.
    contracts = {
        ("NX", "ZJ"): [("nx_yrd_ningdong_shaoxing", 1.0)],
        ("NM", "JS"): [("im_yrd_ximeng_taizhou", 1.0)],
        ("SC", "JS"): [("cy_yrd_baihetan_jiangsu", 1.0), ("cy_yrd_other_dc", 7.2 / 29.6)],
        ("SC", "ZJ"): [("cy_yrd_other_dc", 16.0 / 29.6)],
        ("SC", "SH"): [("cy_yrd_other_dc", 6.4 / 29.6)],
        ("NM", "BJ"): [("im_bth_existing", 9.0 / 12.95)],
        ("NM", "HE"): [("im_bth_existing", 3.95 / 12.95)],
        ("GZ", "GD"): [("gz_gba_existing", 1.0)],
        ("NM", "SD"): [("im_shandong_jarud_qingzhou", 1.0), ("im_shandong_shanghaimiao", 1.0)],
        ("NX", "SD"): [("nx_shandong_yindong", 1.0)],
        ("GS", "HN"): [("gs_hunan_jiuquan", 1.0)],
        ("SC", "JX"): [("cy_jiangxi_existing", 1.0)],
    }
    # Dedicated UHV DC lines of the coal and renewable exporters outside the hubs, with their
    # reported annual energy ([BB]) as the contract.
    reported = {
        ("XJ", "AH"): (69.871, 2025, f"{BB} docs/各省数据2025/新疆.md table 4.1: 昌吉—古泉±1100kV "
                       "(Changji-Guquan UHV DC, Xinjiang -> Anhui) 2025 energy 69,871 GWh "
                       "(Xinjiang power trading centre / Xinhua)"),
        ("XJ", "HA"): (45.924, 2025, f"{BB} docs/各省数据2025/新疆.md table 4.1: 哈密南—郑州±800kV "
                       "(Hami South-Zhengzhou UHV DC, Xinjiang -> Henan) 2025 energy 45,924 GWh "
                       "(Xinjiang power trading centre / Xinhua)"),
        ("SX", "JS"): (51.0, 2025, f"{BB} docs/各省数据2025/山西.md section 4: 雁淮直流 (Yanmenguan-"
                       "Huai'an UHV DC, Shanxi -> Jiangsu) 51.0 TWh in Jan-Nov 2025 (official, per "
                       "the file's note; its monthly table with a December estimate adds to 52.1); "
                       "a lower bound of the year"),
        ("SN", "HB"): (30.0, 2024, f"{BB} docs/各省数据2025/湖北.md section 4: 陕武直流 (Shanbei-"
                       "Wuhan ±800 kV UHV DC, Shaanxi -> Hubei) carried over 30,000 GWh in the "
                       "whole of 2024, about 10% of Hubei's consumption (China National Radio "
                       "Hubei, 2024-12-18, https://www.cnr.cn/hubei/yw/20241218/"
                       "t20241218_527012787.shtml; published before the year's end, and 'over': "
                       "a lower bound of the year); 2023: 24.7 TWh ([BB] 陕西.md section 4)"),
        # Corridors whose send-out is published for the province, not the line (issue 18, third
        # pass): the published figure shared over the ties it leaves by (capacity shares).
        ("AH", "JS"): (40.88, 2024, WAN_DIAN.format(share="0.5128")),
        ("AH", "ZJ"): (38.83, 2024, WAN_DIAN.format(share="0.4872")),
        ("HE", "SD"): (17.308, 2024, SHANDONG_AC.format(share="0.4")),
        ("BJ", "SD"): (25.962, 2024, SHANDONG_AC.format(share="0.6")),
        ("YN", "GD"): (133.55, 2024, YUNNAN_OUT.format(share="0.7053")),
        ("YN", "GX"): (55.81, 2024, YUNNAN_OUT.format(share="0.2947")),
        ("NM", "LN"): (40.43, 2024, MENGDONG_LN),
        ("HB", "SH"): (19.265, 2023, SANXIA_EAST.format(share="2/3 (6 of 9 GW)")),
        ("HB", "JS"): (9.633, 2023, SANXIA_EAST.format(share="1/3 (3 of 9 GW)")),
        # Line-level volumes of Zhejiang's DC lines and the rest of their senders' totals (issue
        # 18, Zhejiang pass); these replace the capacity shares of the hub contracts below.
        ("SC", "ZJ"): (58.07, 2024, SICHUAN_ZJ),
        ("SC", "JS"): (34.935, 2025, SICHUAN_REST.format(
            cap="15.2 (Baihetan-Jiangsu 8, Jinping-Sunan 7.2)", twh="18.387 + 16.548",
            was="42.022 (22.1 + 19.922)", hub="cy_yrd_baihetan_jiangsu 22.1, 0.2432 of "
            "cy_yrd_other_dc 81.9", extra="; Baihetan-Jiangsu's design volume >30 TWh/yr "
            "(Xinhua/People's Daily, http://en.people.cn/n3/2022/0521/c90000-10099665.html)")),
        ("SC", "SH"): (14.71, 2025, SICHUAN_REST.format(
            cap="6.4 (Xiangjiaba-Shanghai)", twh="14.71", was="17.708",
            hub="0.2162 of cy_yrd_other_dc 81.9", extra="")),
        ("SC", "JX"): (18.387, 2025, SICHUAN_REST.format(
            cap="8 (Yazhong-Jiangxi)", twh="18.387", was="22.1", hub="cy_jiangxi_existing 22.1",
            extra="")),
        ("NX", "ZJ"): (55.7, 2024, LINGSHAO),
        ("NX", "SD"): (23.7, 2024, YINDONG),
    }
    #: hydro export lines follow the water, as china_hubs's Sichuan lines (no flat schedule)
    yunnan_floor = ("as sc_js: hydro export line: Yunnan's west-to-east power is mostly hydro and "
                    "follows the water (most in the wet season), so no flat schedule; the contract's "
                    "annual energy and headroom still hold")
    reported_floor = {("YN", "GD"): yunnan_floor, ("YN", "GX"): yunnan_floor,
                      ("HB", "SH"): SANXIA_FLOOR, ("HB", "JS"): SANXIA_FLOOR}
    # The Three Gorges' Central China share: Hubei keeps its part, the others' go over its ties.
    plan_total = sum(part for _, part in SANXIA_CENTRAL_KEY.values())
    for prov, (name, part) in SANXIA_CENTRAL_KEY.items():
        if prov != "HB":
            reported[("HB", prov)] = (
                round(SANXIA_CENTRAL_TWH * part / plan_total, 3), 2023,
                SANXIA_CENTRAL.format(share=f"{part:g}/{plan_total:.1f} ({name})"))
            reported_floor[("HB", prov)] = SANXIA_FLOOR
    lines, lparams = [], []
    for a, b, mw in edges:
        pa, pb = pik_name[a], pik_name[b]
        if {pa, pb} == {"GD", "HE"}:
            continue  # PIK lists Guangdong-Hebei 3 GW: no such corridor is known (docs/data.md)
        if (pb, pa) in contracts or (pb, pa) in reported:
            pa, pb = pb, pa
        km = great_circle(coords[pa], coords[pb]) * 1.2
        lid = f"{pa.lower()}_{pb.lower()}"
        kind = "dc" if km > 900 else "ac"
        src = (f"{PIK} resources/data/grids/edges_current.csv '{a},{b},{mw}' (existing "
               "inter-provincial corridor capacity, all circuits)")
        lines.append([lid, f"{NAME[pa]} - {NAME[pb]} (corridor)", pa, pb, kind, "existing", 2024,
                      src + "; kind: assumption, dc beyond 900 km"])
        if (pa, pb) in CAPACITY_OVERRIDE:
            gw, why = CAPACITY_OVERRIDE[(pa, pb)]
            lparams.append([lid, "capacity", 2024, gw, "GW", why + f"; replaces {src[:-1]}: " +
                            CAPACITY_OVERRIDE_NOTE[(pa, pb)] + ")"])
        else:
            lparams.append([lid, "capacity", 2024, int(mw) / 1e3, "GW", src])
        lparams.append([lid, "length", "", round(km), "km",
                        f"derived: great-circle {city[pa]}-{city[pb]} x route factor 1.2 "
                        "(assumption; representative cities in regions.csv)"])
        if (pa, pb) in reported:
            twh, year, src = reported[(pa, pb)]
            lparams.append([lid, "contracted_energy", year, twh, "TWh", src])
            if (pa, pb) in reported_floor:
                lparams.append([lid, "schedule_floor", "", 0, "1", reported_floor[(pa, pb)]])
        for hl, share in contracts.get((pa, pb), []):
            for prm in ("contracted_energy", "scheduled_energy"):
                if (hl, prm) in hub_lp and (pa, pb) not in reported:
                    r = hub_lp[(hl, prm)]
                    part = "" if share == 1 else f"{share:.4f} (capacity share) of "
                    lparams.append([lid, "contracted_energy", r[2],
                                    round(float(r[3]) * share, 3), r[4],
                                    f"derived: {part}china_hubs line_parameters.csv {hl} {prm} "
                                    f"{r[3]} {r[4]}: {r[5]}"])
            for prm in ("tariff", "schedule_floor"):
                if (hl, prm) in hub_lp:
                    r = hub_lp[(hl, prm)]
                    lparams.append([lid, prm, r[2], r[3], r[4], f"as china_hubs {hl}: {r[5]}"])
    # merge several contracts on one corridor into one row
    merged: dict[tuple[str, str], list] = {}
    for r in lparams:
        k = (r[0], r[1])
        if k in merged and r[1] == "contracted_energy":
            m = merged[k]
            m[3] = round(float(m[3]) + float(r[3]), 3)
            m[5] = f"sum of two contracts: {m[5]} ++ {r[5]}"
        elif k not in merged:
            merged[k] = list(r)
    lparams = list(merged.values())
    # The Three Gorges-Guangdong DC, not in PIK's 'current' grid.
    km = great_circle(coords["HB"], coords["GD"]) * 1.2
    lines.append(["hb_gd", "Three Gorges - Guangdong DC", "HB", "GD", "dc", "existing", 2004,
                  SANXIA_GD_LINE])
    lparams += [["hb_gd", "capacity", 2004, 3.0, "GW", SANXIA_GD_LINE],
                ["hb_gd", "length", "", round(km), "km",
                 f"derived: great-circle {city['HB']}-{city['GD']} x route factor 1.2 (assumption; "
                 "representative cities in regions.csv)"],
                ["hb_gd", "contracted_energy", 2023, 11.773, "TWh", SANXIA_GD],
                ["hb_gd", "schedule_floor", "", 0, "1", SANXIA_FLOOR]]
    # UHV lines of china_hubs in service from 2025 (not in PIK's 'current' grid).
    new_lines = {"nx_hunan_zhongning": ("NX", "HN"), "gs_yrd_wuwei_zhejiang": ("GS", "ZJ"),
                 "im_bth_mengxi_jingjinji": ("NM", "HE")}
    hub_lines = {r["line"]: r for r in csv.DictReader((HUBS / "lines.csv").open())}
    for hl, (pa, pb) in new_lines.items():
        h = hub_lines[hl]
        lines.append([hl, h["name"], pa, pb, h["kind"], h["status"], h["in_service"],
                      f"as china_hubs lines.csv {hl}: {h['source']}"])
        for (k, prm), r in hub_lp.items():
            if k != hl:
                continue
            if prm == "scheduled_energy" and hl == "nx_hunan_zhongning":
                lparams.append([hl, "contracted_energy", r[2], 21.6, r[4], ZHONGNING])
            elif prm == "calibration_in_service" and hl == "nx_hunan_zhongning":
                lparams.append([hl, prm, r[2], r[3], r[4], ZHONGNING_CALIBRATION])
            elif prm in ("capacity", "length", "investment", "scheduled_energy", "max_new"):
                lparams.append([hl, "contracted_energy" if prm == "scheduled_energy" else prm,
                                r[2], r[3], r[4], f"as china_hubs {hl} {prm}: {r[5]}"])
    write(OUT / "lines.csv", ["line", "name", "from", "to", "kind", "status", "in_service",
                              "source"], lines)
    write(OUT / "line_parameters.csv", ["line", "parameter", "year", "value", "unit", "source"],
          lparams)

    write(OUT / "build_limits.csv", ["region", "parameter", "year", "value", "unit", "source"],
          build_limits(args.ceic, allrows, hub_rows[1:]))


#: Nuclear units under construction in IAEA PRIS via cristianst85/GeoNuclearData @1bc8b4a
#: data/csv/denormalized/nuclear_power_plants.csv (PRIS update 2024-03-02), net MW, by province
#: (plant sites), less units in the 2024 base (Fangchenggang-4); Jiangsu, Zhejiang and Guangdong
#: as china_hubs (which adds the units approved in Aug 2024 there).
GEONUCLEAR = "cristianst85/GeoNuclearData @1bc8b4a data/csv/denormalized/nuclear_power_plants.csv"
NUCLEAR_PIPELINE = {
    "JS": (4.576, "derived: Tianwan-7/8 1171+1171 MW under construction ({src}) + Xuwei 1/2 "
           "(Hualong One, approved Aug 2024) 2 x 1117 MW, as china_hubs YRD row split by site"),
    "ZJ": (6.794, "derived: Sanmen-3/4 1163+1163, Sanaocun-1/2 1117+1117 MW under construction "
           "({src}) + San'ao 3/4 (approved Aug 2024) 2 x 1117 MW, as china_hubs YRD row split by "
           "site"),
    "GD": (9.264, "as china_hubs build_limits.csv GBA max_new_nuclear: Taipingling-1/2, Lufeng-5/6 "
           "under construction ({src}), Lianjiang 1/2 and Lufeng 1/2 approved"),
    "SD": (5.39, "derived: Haiyang-3/4 1161+1161 and CAP1400-1/2 (Shidaowan Guohe One) 1534+1534 MW "
           "under construction ({src}); later approvals not counted (TODO)"),
    "FJ": (3.494, "derived: Zhangzhou-1/2 1126+1126 and Xiapu-1/2 (CFR-600) 642+600 MW under "
           "construction ({src}); later approvals not counted (TODO)"),
    "HI": (2.1, "derived: Changjiang-3/4 1000+1000 and Changjiang SMR-1 (ACP100) 100 MW under "
           "construction ({src}); later approvals not counted (TODO)"),
    "LN": (3.4, "derived: Xudabu-1 1000, Xudabu-3/4 1200+1200 MW under construction ({src}); "
           "later approvals not counted (TODO)"),
    "GX": (0.0, "derived: no unit under construction in {src} other than Fangchenggang-4, in "
           "service in 2024 and in the 2024 base; later approvals not counted (TODO)"),
}


def build_limits(ceic_repo: Path, prov_rows: list[list], hub_prov: list[list]) -> list[list]:
    """Per-province build limits by the china_hubs rules where they are province-level."""
    out: list[list] = []
    value = {(r[0], r[1]): float(r[3]) for r in prov_rows}
    demand_total = 9852.0
    # Wind and solar: 1.5 x national 2024 additions x the larger of the province's share of
    # national capacity and of the 31 provinces' 2024 additions (china_hubs rule).
    cap = ceic(ceic_repo, "power_capacity_by_province&type.csv")
    nat = ceic(ceic_repo, "Power_Capacity.csv")
    capf = "inst/csv/power_capacity_by_province&type.csv"
    rules = {
        "wind": ("Newly-added Installed Capacity of Power Generation: Wind Power: YTD", 520.68,
                 lambda p: find(cap, f"China: {p}: Power Gen", "Wind Power")[1], "2024-11"),
        "solar": ("Generating Capacity of New Equipment: Solar: YTD", 886.66,
                  lambda p: find(cap, f"China: {p}: Installed Capacity: Solar Power Generation: "
                                 "YTD")[1], "2024-12"),
    }
    for tech, (series, national_cap, get, month) in rules.items():
        additions = {k: v for k, v in nat.items() if k.endswith(series)}
        name, add = next(iter(additions.items()))
        national_add = add["2024-12"] / 100  # 10^4 kW -> GW
        added = {p[0]: (get(p[1])[month] - get(p[1])["2023-12"]) / 100 for p in PROVINCES}
        total_added = sum(added.values())
        for pid, pname, *_ in PROVINCES:
            c = value[(pname, f"capacity_{tech}")]
            share = max(c / national_cap, added[pid] / total_added)
            v = round(1.5 * national_add * share, 2)
            out.append([pid, f"max_build_rate_{tech}", 2024, v, "GW/year",
                        f"derived: 1.5 headroom x {national_add:.2f} GW national 2024 {tech} "
                        f"additions x {pname} share {share:.5f} = {v} GW/year; share = larger of "
                        f"its share of national {tech} capacity {c:.2f}/{national_cap} GW and of "
                        f"2024 additions {added[pid]:.2f}/{total_added:.2f} GW (Dec 2023 to "
                        f"{month}, sum of the 31 provinces, {CEIC} {capf}); national additions "
                        f"{CEIC} inst/csv/Power_Capacity.csv '{name}' 2024-12; china_hubs rule and "
                        "headroom assumption (docs/data.md)"])
    # Pumped hydro: the national 83.61 GW to 2030 split by 2024 consumption (china_hubs rule).
    for pid, pname, *_ in PROVINCES:
        d = value[(pname, "demand")]
        v = round(83.61 * d / demand_total, 2)
        out.append([pid, "max_new_pumped_hydro", 2030, v, "GW",
                    f"derived: 83.61 GW national pumped storage to add by 2030 (NEA medium- and "
                    f"long-term plan 2021-2035, about 120 GW by 2030, minus PIK's 36.39 GW end-2021 "
                    f"base; china_hubs build_limits.csv) x {pname}'s share of national 2024 "
                    f"consumption {d:.1f}/{demand_total:g} TWh"])
    # Conventional hydro: the hub assumptions for Sichuan, Guizhou, Gansu; none elsewhere.
    hydro = {"SC": (15.0, "as china_hubs build_limits.csv CY max_new_hydro (Sichuan's projects "
                    "under construction or approved; Chongqing none)"),
             "GZ": (1.0, "as china_hubs build_limits.csv GZ max_new_hydro (residual projects)"),
             "GS": (1.0, "as china_hubs build_limits.csv GS max_new_hydro (residual projects)")}
    for pid, pname, *_ in PROVINCES:
        v, src = hydro.get(pid, (0.0, (
            f"gap: no list of {pname}'s conventional hydro under construction at hand; 0 until one "
            "is sourced (TODO: Yunnan, Tibet, Qinghai and Hubei have large projects under "
            "construction; an unlimited value let the model build 68 GW in 2025)")))
        out.append([pid, "max_new_hydro", 2030, v, "GW", src])
    # Nuclear: the pipeline of the coastal provinces, none inland.
    coastal = {"LN", "SD", "JS", "ZJ", "FJ", "GD", "HI", "GX"}
    for pid, pname, *_ in PROVINCES:
        if pid in coastal:
            v, src = NUCLEAR_PIPELINE[pid]
            out.append([pid, "max_new_nuclear", 2030, v, "GW", src.format(src=GEONUCLEAR)])
        else:
            out.append([pid, "max_new_nuclear", 2030, 0, "GW",
                        f"{PIK} workflow/scripts/constants.py NUCLEAR_EXTENDABLE: coastal Liaoning, "
                        "Shandong, Jiangsu, Zhejiang, Fujian, Guangdong, Hainan, Guangxi only; "
                        f"{pname} is inland"])
    return out


if __name__ == "__main__":
    main()
