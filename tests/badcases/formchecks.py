"""Slips in what a form's figures, texts and cells say about each other (generator/checks.py).

Each file is content/2024/power-system-renovation.md with its three warnings resolved (the budget fully
spent, the stated 总分 100, the 项目完成时间 in 2024) and one slip; the expected figures were worked out by
hand from the file (845,371.59 元 is 84.54 万元; 727,019.56 ÷ 845,371.59 = 86.00%).
"""

from __future__ import annotations

from generator.findings import Level
from tests.badcases import Slip

E, W = Level.ERROR, Level.WARNING

SLIPS: list[Slip] = [
    # a whole table typed in 万元 under the 元 heading: every published amount 1/10,000 of the real one
    ("scale-table-in-wanyuan.md", 12, E, "money-scale", "“安装费等” 年度指标值 ＝215000元 is more than 100 times"),
    ("scale-conclusion-yuan.md", 12, E, "money-scale", "“预算845371.59元”: the table seems written in 万元"),
    ("scale-conclusion-wanyuan.md", 12, E, "money-scale", "is 84.54元, but the text says “预算84.54万元”"),
    ("scale-goals-text.md", 12, E, "money-scale", "the text says “支出金额845371.59元”"),
    # the 自评结论 left empty
    ("conclusion-empty.md", 36, E, "conclusion-empty", "the 自评结论 is empty"),
    ("conclusion-blank-lines.md", 39, E, "conclusion-empty", "the 自评结论 is empty"),
    # images the published page and PDF drop
    ("image-markdown.md", 38, W, "body-image", "the image “photo.png” is not published"),
    ("image-html.md", 38, W, "body-image", "the image “scan.jpg” is not published"),
    # texts left as they were after the table changed
    ("narrative-rate.md", 36, W, "narrative-rate", "“预算执行率82%”, but 执行率 computes to 100.00%"),
    ("narrative-rate-stale.md", 36, W, "narrative-rate", "“资金执行率为70.93%”, but 执行率 computes to 100.00%"),
    ("narrative-score.md", 36, W, "narrative-score", "“自评总分95分”, but the 总分 computes to 100"),
    ("narrative-quantity.md", 36, W, "narrative-quantity", "“4800平方米”, but 实际完成值 of “维修改造面积” is 5000"),
    ("narrative-quantity-goals.md", 19, W, "narrative-quantity", "“2栋”, but 实际完成值 of “保障维修楼栋数量” is 1栋"),
    # 成本控制率 100% with 86% of the budget spent
    ("cost-control-rate.md", 28, W, "cost-control-rate", "100% of “项目或定额成本控制率” says the whole budgeted cost"),
    # the 全年预算数 cut from 900,000 to exactly the spending
    ("budget-cut-to-spending.md", 12, W, "budget-cut-to-spending", "was cut from 年初预算数 900,000 to exactly"),
    # template text and the form's own title left in cells
    ("template-please-fill.md", 19, W, "template-text", "“请填写” is the template's text"),
    ("template-xx.md", 10, W, "template-text", "“XX县人民法院” is the template's text"),
    ("template-form-title.md", 31, W, "template-text", "“项目支出绩效自评表” is the template's text"),
    ("template-fill-note.md", 6, W, "template-text", "“电力系统维修改造专项资金（填写说明）”"),
    ("template-times-in-conclusion.md", 38, W, "template-text", "“××” is the template's text"),
    # cost indicators filed under another 二级指标
    ("cost-under-quantity.md", 23, W, "cost-misfiled", "(＝215000元) is about cost, but it is filed under 数量指标"),
    ("unit-price-under-quality.md", 23, W, "cost-misfiled", "“维修改造单价” (≤170元/平方米) is about cost"),
]
