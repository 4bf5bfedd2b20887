"""Generate N realistic forms by varying the ten reference forms' figures and texts.

Each copy keeps the reference form's structure (rows, weights, texts) and changes: the budget (scaled),
the amount spent (60–100% of it, so that rates, budget scores and totals vary), the quantitative
actuals (so that some targets are missed and scored by formula, with a reason), and a sentence of the
goals (so that copy detection sees mostly distinct texts, as in a real province). Deterministic for a seed.
"""

from __future__ import annotations

import random
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

from generator.reading import discover, read_document
from generator.values import Quantity, parse_value

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_CONTENT = ROOT / "content"


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: object) -> bool:
        return True  # formgen refuses aliases in forms, as it should


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = f"{value:f}"
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(Decimal, _represent_decimal)
CENT = Decimal("0.01")


def _vary_funds(data: dict, rng: random.Random) -> Decimal:
    """Scale the budget and spend 60–100% of it, keeping every row sum of the funding table true."""
    funds = data["funds"]
    scale = Decimal(rng.randint(50, 200)) / 100
    rate = Decimal(rng.randint(60, 100)) / 100
    old = {column: Decimal(funds["total"][column]) for column in ("initial", "budget", "executed")}
    new_budget = (old["budget"] * scale).quantize(CENT, ROUND_HALF_UP)
    new = {"initial": (old["initial"] * scale).quantize(CENT, ROUND_HALF_UP), "budget": new_budget,
           "executed": (new_budget * rate).quantize(CENT, ROUND_HALF_UP)}
    # In the reference forms one chain of rows carries the whole amount (total = fiscal = own or
    # transfer) and the others are 0: move that chain to the new figures.
    for row in funds.values():
        for column in new:
            if old[column] != 0 and Decimal(row[column]) == old[column]:
                row[column] = new[column]
    if rate < 1:
        data["execution_reason"] = f"项目按进度支付，剩余{new_budget - new['executed']:f}元结转下年。"
    return rate


def _vary_indicators(data: dict, rng: random.Random) -> None:
    for row in data["indicators"]:
        row.pop("score", None)  # let formgen compute; stated totals would no longer hold
        target, actual = parse_value(str(row["target"])), parse_value(str(row["actual"]))
        if not (isinstance(target, Quantity) and isinstance(actual, Quantity) and target.comparison):
            continue
        if target.unit in ("元", "万元") or rng.random() > 0.3:
            continue
        factor = Decimal(rng.randint(70, 100)) / 100
        number = (actual.number * factor).quantize(Decimal(1) if actual.number == actual.number.to_integral()
                                                   else CENT, ROUND_HALF_UP)
        row["actual"] = f"{number}{actual.unit}"
        row["reason"] = "受项目实施进度影响，部分任务顺延至下一年度完成。"
    data.pop("stated", None)


def generate(count: int, folder: Path, seed: int = 2024, years: int = 5) -> list[Path]:
    """Write `count` forms over `years` years into `folder` (emptied first); returns their paths."""
    if folder.exists():
        shutil.rmtree(folder)
    rng = random.Random(seed)
    sources = [read_document(path) for path in discover([REFERENCE_CONTENT])]
    written = []
    for number in range(count):
        source = sources[number % len(sources)]
        data = yaml.safe_load(yaml.dump(source.data, Dumper=_Dumper, allow_unicode=True))
        year = 2020 + number % years
        data["year"], data["filled_on"] = year, f"{year + 1}-02-{rng.randint(1, 28):02d}"
        _vary_funds(data, rng)
        _vary_indicators(data, rng)
        data["goals"]["actual"] = f"{data['goals']['actual']}（第{number + 1}项，{year}年度）"
        data["goals"]["expected"] = f"{data['goals']['expected']}（编号{number + 1}）"
        path = folder / str(year) / f"{source.slug}-{number + 1:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        front = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
        path.write_text(f"---\n{front}---\n{source.body}（本表为第{number + 1}项。）\n", encoding="utf-8")
        written.append(path)
    return written
