"""Evidence banks of the service dimension, response lag (物业服务 · 服务响应滞后)."""

from __future__ import annotations

from .bank import CauseBank, TicketTemplate, accepted, closed, done, overdue, working
from .service_basic import SVC_PATTERNS, SVC_RECORDS

SLOW_REPAIR = CauseBank(
    openers=(
        "我家{part}{when}报修的，到现在{hours}小时了还没人来！",
        "{s}，厨房水管爆了，报修两天了，地板都泡了。",
        "报修单显示已受理，然后就没下文了，{part}还在漏。",
        "卫生间{part}坏了，打了三次电话都说马上派人，人呢？",
        "报修的单子又超时了，你们维修师傅到底有几个人？",
    ),
    details=(
        "楼下邻居都来敲门了，说水渗到他们家天花板。",
        "师傅来了说没带配件，又走了，一走就是{hours}小时。",
        "我请假在家等了一整天，没人来也没人打电话。",
        "修了一半说要等材料，家里一直停着用不了。",
    ),
    refusals=(
        "{part}修好之前，物业费别找我。",
        "报修{hours}小时没人管，还有脸催费？",
        "你们修得这么慢，耽误的损失谁来赔？赔了再说交费。",
        "先把我的报修单处理完，物业费的事后面再聊。",
    ),
    replies=(
        "{o}实在抱歉，维修单我已经加急，{w}下午两点前上门。",
        "这次超时是我们的问题，我已经跟工程主管反映，今天一定修好。",
        "配件今天到，{w}到了先给您打电话，修完我来验收。",
        "您家楼下的损失我们也会协调处理，先把{part}修好。",
    ),
    claim_type="服务质量不满意",
    claim_items=(
        "{part}报修超过{hours}小时未修复",
        "维修人员多次爽约",
        "漏水造成损失要求赔偿",
        "报修后无人跟进反馈",
    ),
    claim_records=SVC_RECORDS,
    slots=(
        ("part", ("水管", "下水管", "马桶水箱", "暖气阀门", "入户水表", "电路开关")),
        ("when", ("前天上午", "周一", "大前天", "上周五")),
        ("hours", ("48", "50", "60", "72")),
    ),
    tickets=(
        TicketTemplate(
            "水电维修",
            ("{part}漏水，请尽快维修", "{part}爆裂，家中进水", "{part}故障无法使用"),
            (
                (
                    accepted("已派单工程部"),
                    overdue("维修人员未按时上门"),
                    done("维修完成", after=(600, 2880)),
                ),
                (
                    accepted("已派单"),
                    working("等待配件", after=(600, 1440)),
                    overdue("超出承诺时限"),
                    done("更换配件完成"),
                ),
                (
                    accepted("已派单"),
                    overdue("多次派单未响应"),
                    closed("业主自行找人维修，工单关闭"),
                ),
            ),
            (1, 1, 2, 2, None),
        ),
    ),
    ticket_range=(1, 3),
    patterns=SVC_PATTERNS,
)

COMPLAINT_STALLED = CauseBank(
    openers=(
        "我投诉{issue}都{dur}了，到底有没有人管？",
        "{s}，{issue}的投诉你们说在处理，处理到现在一点进展都没有。",
        "每次问都说在走流程，我已经问了不下十次了。",
        "投诉单号我都存着，{dur}前提的，你们连个回复都没有。",
    ),
    details=(
        "上报主管、再上报公司、再等回复，一个来回就是一个月。",
        "上次说城管会来看，后来就没消息了。",
        "你们给我的答复永远是'已反馈，请耐心等待'。",
        "{issue}还在继续，我家孩子都没法安心写作业。",
    ),
    refusals=(
        "投诉拖了{dur}没结果，物业费我也拖着。",
        "你们什么时候给我一个正式的处理结果，我什么时候交。",
        "连投诉都没人管，交物业费有什么意义？",
        "别催费了，先把我的投诉结了。",
    ),
    replies=(
        "{o}，这件事确实拖得太久了，我今天就约主管和您当面谈。",
        "您的投诉我已经升级到项目经理，本周五前给您书面答复。",
        "{issue}需要执法部门处理，我们已经第二次发函，回执给您看。",
        "抱歉{o}，进展我以后每周一跟您同步一次。",
    ),
    claim_type="服务质量不满意",
    claim_items=("{issue}投诉{dur}无进展", "投诉处理流程长，无人反馈", "要求给出书面处理结果"),
    claim_records=SVC_RECORDS,
    slots=(
        (
            "issue",
            (
                "楼上邻居私搭阳光房",
                "楼下邻居占用消防通道",
                "隔壁深夜装修噪音",
                "一楼住户违建小院",
                "顶楼私建鸽棚",
            ),
        ),
        ("dur", ("三个月", "两个多月", "快半年", "一百多天")),
    ),
    tickets=(
        TicketTemplate(
            "投诉建议",
            ("投诉{issue}", "再次投诉{issue}，要求处理"),
            (
                (
                    accepted("已记录"),
                    working("已上报主管"),
                    working("已上报公司法务", after=(10080, 20160)),
                    closed("已移交执法部门，工单关闭"),
                ),
                (
                    accepted("已记录"),
                    working("已约谈当事住户", after=(4320, 10080)),
                    overdue("未在承诺时间内反馈"),
                ),
            ),
            (1, 1, 2, None),
        ),
        TicketTemplate(
            "噪音扰民",
            ("{issue}，晚上十点后仍有噪音",),
            ((accepted("已记录"), working("已电话提醒当事住户"), closed("已提醒，关闭工单")),),
            (1, 2, None),
        ),
    ),
    ticket_range=(1, 3),
    patterns=SVC_PATTERNS,
)

BANKS = {
    "svc.slow_repair": SLOW_REPAIR,
    "svc.complaint_stalled": COMPLAINT_STALLED,
}
