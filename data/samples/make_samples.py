"""Regenerate the sample billing-system exports in this folder (deterministic): python -m data.samples.make_samples."""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, timedelta
from pathlib import Path

from data.importers.identity import id_check_digit

HERE = Path(__file__).resolve().parent
SEED = 20261101
PROJECT = ("SH-XH", "保利·徐汇悦府", "上海", "华东")
PERIODS = tuple(f"{2025 + (m > 12)}-{(m - 1) % 12 + 1:02d}" for m in range(11, 23))  # 2025-11 … 2026-10
PRICE_PER_M2 = 4.8
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁沈姚卢"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍建红文辉鹏飞雪梅琳晨宇浩然欣怡子涵思远佳慧志国海燕"
OWNER_HEADER = (
    "项目编码",
    "项目名称",
    "城市",
    "区域",
    "楼栋",
    "房号",
    "建筑面积",
    "业主姓名",
    "手机号",
    "证件号码",
    "邮箱",
    "微信号",
    "业主标签",
    "偏好渠道",
    "月物业费",
)
REC_HEADER = ("项目编码", "房号", "账期", "费项", "应收金额", "到期日", "已收金额", "减免金额", "单据号")
PAY_HEADER = ("项目编码", "房号", "账期", "实收金额", "缴费时间", "支付方式", "流水号")
MULTI_UNIT = {3: 17, 40: 41, 58: 97, 70: 71, 88: (89, 105)}  # first unit index → the same owner's other units


def unit_of(index: int) -> tuple[str, str]:
    """(building number, room) of the index-th unit: 5 buildings × 22 units, floors 2–12."""
    return str(index // 22 + 1), f"{(index % 22) // 2 + 2}{index % 2 + 1:02d}"


def last_day(period: str) -> date:
    """Due date of a period: the last day of its month."""
    year, month = int(period[:4]), int(period[5:])
    return date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)


def person(rng: random.Random) -> dict:
    """A sample owner: name, mobile, optional ID/e-mail/WeChat, tags, channel."""
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    born = date(rng.randint(1945, 1995), rng.randint(1, 12), rng.randint(1, 28))
    first17 = (
        rng.choice(("310104", "310115", "310101", "320102")) + born.strftime("%Y%m%d") + f"{rng.randrange(1000):03d}"
    )
    tags = (["老年"] if born.year < 1960 else []) + [
        t for t, p in (("高价值", 0.08), ("敏感", 0.04), ("残障", 0.02), ("问题业主", 0.03)) if rng.random() < p
    ]
    return {
        "name": name,
        "mobile": rng.choice(("139", "138", "186", "135", "158", "177")) + f"{rng.randrange(10**8):08d}",
        "id": first17 + id_check_digit(first17) if rng.random() < 0.85 else "",
        "email": f"owner{rng.randrange(10**5):05d}@example.com" if rng.random() < 0.3 else "",
        "wechat": f"wx_{rng.randrange(10**6):06d}" if rng.random() < 0.6 else "",
        "tags": "；".join(tags),
        "channel": rng.choice(("短信", "微信", "微信", "电话", "上门", "邮件", "")),
    }


def owner_rows(rng: random.Random) -> list[dict]:
    """110 households; five owners hold several units (their mobile is written differently per row)."""
    people = [person(rng) for _ in range(110)]
    for first, others in MULTI_UNIT.items():
        for other in others if isinstance(others, tuple) else (others,):
            people[other] = {
                **people[first],
                "mobile": f"+86 {people[first]['mobile'][:3]}-"
                f"{people[first]['mobile'][3:7]}-{people[first]['mobile'][7:]}",
            }
    rows = []
    for index, who in enumerate(people):
        building, room = unit_of(index)
        area = round(rng.uniform(68, 180), 2)
        rows.append({"building": building, "room": room, "area": area, "fee": round(area * PRICE_PER_M2, 2), **who})
    return rows


def receivable_rows(rng: random.Random, owners: list[dict]) -> list[list[object]]:
    """12 monthly property-fee lines per unit: most paid, about 20 units owing the last 1–8 months."""
    rows: list[list[object]] = []
    for index, own in enumerate(owners):
        owing = rng.randint(1, 8) if rng.random() < 0.18 else 0
        partial, relief = rng.random() < 0.25, rng.random() < 0.05
        for n, period in enumerate(PERIODS):
            fee = own["fee"]
            paid = fee if n < len(PERIODS) - owing else 0.0
            if owing and n == len(PERIODS) - owing and partial:
                paid = round(fee / 2, 2)
            off = 50.0 if relief and n == 6 else 0.0
            paid = min(paid, round(fee - off, 2))
            code = f"{own['building']}-{own['room']}"
            rows.append(
                [
                    PROJECT[0],
                    code,
                    period,
                    "物业费",
                    fee,
                    last_day(period),
                    paid,
                    off,
                    f"YS{period.replace('-', '')}{index:04d}",
                ]
            )
    return rows


def payment_rows(rng: random.Random, receivables: list[list[object]]) -> list[list[str]]:
    """One payment per (partly) paid bill line, paid around its due date."""
    rows = []
    for seq, (project, unit, period, _fee, _amt, due, paid, _off, _ref) in enumerate(receivables):
        if not paid:
            continue
        at = datetime.combine(due, datetime.min.time()) + timedelta(
            days=rng.randint(-20, 6), minutes=rng.randint(480, 1200)
        )
        channel = rng.choices(("微信", "支付宝", "银行转账", "现金", "银联"), weights=(55, 25, 10, 5, 5))[0]
        rows.append(
            [project, unit, period, f"{paid:.2f}", at.strftime("%Y-%m-%d %H:%M:%S"), channel, f"P{at:%Y%m%d}{seq:06d}"]
        )
    return rows


def as_csv_row(row: list[object]) -> list[str]:
    """Billing-export text: amounts with two decimals, dates as YYYY-MM-DD."""
    return [f"{v:.2f}" if isinstance(v, float) else v.isoformat() if isinstance(v, date) else str(v) for v in row]


def bad_rows(good: list[list[object]]) -> list[list[str]]:
    """Realistic mistakes mixed with good rows (period 2026-11), in tolerated but varied formats."""
    fresh = [
        as_csv_row([r[0], r[1], "2026-11", "物业费", r[4], date(2026, 11, 30), 0.0, 0.0, f"YS202611{i:04d}"])
        for i, r in enumerate(good[::12][:14])
    ]
    fresh[1][2], fresh[2][2], fresh[3][4] = "2026年11月", "202611", f"¥{float(fresh[3][4]):,.2f}"
    fresh[4][5], fresh[5][5], fresh[6][5] = "2026/11/30", "20261130", "46356"  # 46356 = Excel serial of 2026-11-30
    mistakes = [
        [*fresh[7][:5], "2026-11-31", *fresh[7][6:]],  # date that does not exist
        [*fresh[8][:5], "下月底", *fresh[8][6:]],  # not a date
        [*fresh[9][:4], "-580.00", *fresh[9][5:]],  # negative amount
        ["SH-XH", "9-9901", "2026-11", "物业费", "520.00", "2026-11-30", "0", "0", "YS2026119901"],  # unknown unit
        list(fresh[0]),  # duplicate of the first row
        [*fresh[10][:3], '=HYPERLINK("http://pay.example.com","点击缴费")', *fresh[10][4:]],  # formula
        [*fresh[11][:4], "五百元", *fresh[11][5:]],  # text in amount
        [*fresh[12][:3], "", *fresh[12][4:]],  # empty required cell
        [*fresh[13][:2], "2026-13", *fresh[13][3:]],  # month 13
        ["SH-XX", "1-201", "2026-11", "物业费", "520.00", "2026-11-30", "0", "0", "YS2026110001X"],  # unknown project
        [*fresh[2][:2], "2026-12", "停车费", "300.125", "2026-12-31", "0", "0", ""],  # three decimals
        [*fresh[4][:2], "2026-12", "停车费", "300.00", "2026-12-31", "450.00", "0", ""],  # paid > amount
    ]
    rows: list[list[str]] = []
    for index, bad in enumerate(mistakes):  # good rows interleaved with bad ones, as in a real export
        rows.extend([fresh[index], bad] if index < 7 else [bad])
    return rows


def write_csv(path: Path, header: tuple[str, ...], rows: list[list[str]], encoding: str = "utf-8-sig") -> None:
    """Write a CSV the way billing systems export it (CRLF line ends)."""
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_xlsx(path: Path, header: tuple[str, ...], rows: list[list[object]]) -> None:
    """Write the receivables as a workbook with real number and date cells."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    book.properties.creator = "steward samples"
    book.properties.created = book.properties.modified = datetime(2026, 11, 1)
    sheet = book.create_sheet("应收明细")
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    book.save(path)


def main(out: Path = HERE) -> None:
    """Write every sample file into ``out``."""
    rng = random.Random(SEED)
    owners = owner_rows(rng)
    write_csv(
        out / "owners.csv",
        OWNER_HEADER,
        [
            [
                *PROJECT,
                f"{o['building']}号楼",
                o["room"],
                f"{o['area']:.2f}",
                o["name"],
                o["mobile"],
                o["id"],
                o["email"],
                o["wechat"],
                o["tags"],
                o["channel"],
                f"{o['fee']:.2f}",
            ]
            for o in owners
        ],
    )
    receivables = receivable_rows(rng, owners)
    text_rows = [as_csv_row(r) for r in receivables]
    write_csv(out / "receivables.csv", REC_HEADER, text_rows)
    write_csv(out / "receivables_gbk.csv", REC_HEADER, text_rows, encoding="gbk")
    write_xlsx(out / "receivables.xlsx", REC_HEADER, receivables)
    write_csv(out / "payments.csv", PAY_HEADER, payment_rows(rng, receivables), encoding="utf-8")  # no BOM
    write_csv(out / "receivables_bad.csv", REC_HEADER, bad_rows(receivables))


if __name__ == "__main__":
    main()
