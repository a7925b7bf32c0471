"""Evidence banks of the special-situation dimension (特殊情境)."""

from __future__ import annotations

from .bank import CauseBank, TicketTemplate, accepted, closed, working

_DEFECT_TICKET = TicketTemplate(
    "房屋质量",
    ("{defect}，要求维修", "{defect}，开发商承诺维修未落实"),
    (
        (
            accepted("已登记"),
            working("已转开发商售后", after=(600, 2880)),
            closed("开发商未回复，转入遗留问题台账", after=(10080, 30240)),
        ),
        (
            accepted("已登记"),
            working("已协调开发商现场查看", after=(2880, 7200)),
            working("开发商安排维修排期", after=(4320, 10080)),
        ),
    ),
    (1, 2, 2, None),
)

DEVELOPER_DEFECTS = CauseBank(
    openers=(
        "{s}，我家{defect}，交房的时候开发商就说修，修了{dur}也没修好。",
        "开发商答应的{promise}到现在都没落实，你们物业有没有去催？",
        "{defect}的事，开发商售后电话打不通，你们能不能帮我们协调？",
        "收房到现在{dur}了，{defect}一直没解决，我家都没法正常住。",
    ),
    details=(
        "维修单我都留着，每次都是来看一眼，说要等开发商批。",
        "我们这栋好几户都是{defect}，不是我一家的问题。",
        "开发商承诺的{promise}写在交房协议里的。",
        "下雨天家里要摆好几个盆接水。",
    ),
    refusals=(
        "房子问题不解决，物业费我先不交，你们去跟开发商要。",
        "{defect}修好了我立刻把物业费补齐。",
        "你们是开发商带过来的物业，开发商的问题你们总得推一推吧？解决了再交。",
        "{promise}一天不到位，我就一天不交。",
    ),
    replies=(
        "{o}，{defect}属于开发商保修范围，我们已经第三次发函督促，回执给您看。",
        "理解您，我们会组织受影响的业主一起和开发商面谈，物业全程协助。",
        "{o}，开发商售后下周二来现场，我陪您一起看。",
        "我们把您家的情况列进了遗留问题台账，每周向开发商催办一次。",
    ),
    claim_type="开发商遗留",
    claim_items=("{defect}多年未修复", "开发商承诺的{promise}未落实", "要求物业协调开发商维修"),
    claim_records=(
        "管家陪同业主查看现场并拍照存档",
        "物业发函督促开发商维修",
        "开发商确认维修排期，业主同意先缴部分欠费",
    ),
    slots=(
        (
            "defect",
            ("外墙渗水", "卧室墙体裂缝", "地下室返潮发霉", "顶楼漏雨", "窗框渗水", "地面空鼓"),
        ),
        ("dur", ("两年", "一年多", "三年", "大半年")),
        ("promise", ("维修基金", "外墙统一返修", "防水重做", "地库排水改造")),
    ),
    tickets=(_DEFECT_TICKET,),
    ticket_range=(1, 3),
    patterns=("on_time_then_stop",) * 3 + ("never_paid",) * 2 + ("partial",),
    onset=(-60, -5),
)

PREVIOUS_MANAGER = CauseBank(
    openers=(
        "我在原来那家物业预交了{prepaid}的物业费，你们接手了就不认了？",
        "{s}，交接的时候账都没算清楚，怎么又来找我要钱？",
        "之前的物业把我的{deposit}卷走了，这个钱你们说怎么办？",
        "你们说我欠费，可那几个月是{old_company}管的时候，我交给他们了。",
    ),
    details=(
        "收据我都还留着，{old_company}盖了章的。",
        "前任物业走的时候账目一团乱，你们就照单全收？",
        "同楼好几家都是这个情况，不是我一个人。",
        "你们和{old_company}怎么算账是你们的事，别算到业主头上。",
    ),
    refusals=(
        "先把{prepaid}的预交款认了，再说欠费的事。",
        "你们和前任把账算清楚之前，我一分不交。",
        "{deposit}退给我，抵掉物业费，我就两清。",
    ),
    replies=(
        "{o}，麻烦您把当时的收据拍照发我，我们和前任物业逐笔核对。",
        "交接账目的问题我们已经提交给街道和业委会协调，核对清楚会给您书面结果。",
        "理解您的顾虑，有凭证的预交款我们会认，您放心。",
    ),
    claim_type="费用异议",
    claim_items=("前任物业预交{prepaid}物业费未被承认", "{deposit}未退还", "要求核清交接账目"),
    claim_records=(
        "管家收取业主预交凭证复印件",
        "项目与前任物业核对账目，尚未达成一致",
        "业委会介入协调交接账目",
    ),
    slots=(
        ("prepaid", ("一年", "半年", "两年")),
        ("deposit", ("装修押金", "车位押金", "门禁卡押金")),
        ("old_company", ("原来的物业公司", "开发商自己的物业", "前面那家物业")),
    ),
    patterns=("never_paid",) * 4 + ("on_time_then_stop",),
    onset=(-15, 10),
    claim_share=0.8,
    tag_shares=(("敏感", 0.2),),
)

BLAME_DEVELOPER = CauseBank(
    openers=(
        "我家{defect}，你们物业怎么管的？",
        "{s}，新房才住{dur}就{defect}，你们物业负不负责？",
        "房子出了问题就找物业，你们说跟你们没关系，那我交物业费干嘛？",
        "装修的{finish}坏成这样，你们物业得给我修。",
    ),
    details=(
        "我不管是开发商还是谁，我只认物业。",
        "你们天天说属于开发商保修，开发商我也找不到人啊。",
        "交物业费就是让你们管房子的，房子坏了不找你们找谁？",
        "我家{finish}是精装修带的，才{dur}就这样了。",
    ),
    refusals=(
        "房子修不好，物业费就别想。",
        "你们把{defect}弄好了我就交，谁修我不管。",
        "什么开发商保修，我只知道交了钱你们就得管。",
    ),
    replies=(
        "{o}，{defect}属于精装修交付的质量问题，在开发商保修期内，我已经帮您报给开发商售后。",
        "理解您着急，物业可以协助您对接开发商，也可以先帮您做临时处理。",
        "{o}，房屋质量维修是开发商的保修责任，物业费对应的是公共区域的服务，我给您解释一下。",
        "开发商售后的联系方式我发您，我也会一起跟进。",
    ),
    claim_type="开发商遗留",
    claim_items=("{defect}，要求物业维修", "认为物业应承担房屋质量维修责任", "要求物业赔偿"),
    claim_records=(
        "管家解释保修责任划分，业主不接受",
        "物业协助业主联系开发商售后",
        "开发商上门维修，业主同意补缴",
    ),
    slots=(
        ("defect", ("客厅墙面开裂", "木地板起拱", "卫生间墙砖脱落", "吊顶出现裂缝", "橱柜门变形")),
        ("dur", ("一年", "十个月", "两年不到", "半年")),
        ("finish", ("墙漆", "地板", "瓷砖", "整体橱柜")),
    ),
    tickets=(
        TicketTemplate(
            "房屋质量",
            ("{defect}", "{defect}，要求物业维修"),
            ((accepted("已登记"), closed("属开发商保修范围，已告知业主并转开发商售后")),),
            (1, 1, 2, None),
        ),
    ),
    ticket_range=(1, 2),
    patterns=("on_time_then_stop",) * 3 + ("never_paid", "partial"),
    onset=(-40, 0),
)

VACANCY = CauseBank(
    openers=(
        "{s}，我那套房子{vacant}，一天都没住过，凭什么交全额物业费？",
        "房子空着水电都没用，物业费应该免了吧？",
        "{law}，空置房是不用交物业费的，你们不知道吗？",
        "我又没享受你们的服务，{vacant}，收什么钱？",
    ),
    details=(
        "水表电表你们去看，一个字没走。",
        "我朋友说空房子最多交一半，你们收全额是多收了。",
        "房子都没人住，保洁保安跟我有什么关系？",
        "{law}，我专门查过的。",
    ),
    refusals=(
        "空置期间的物业费给我免了，住进去以后我按月交。",
        "最多给你们交三成，多的不交。",
        "住进去之前我是不会交的。",
    ),
    replies=(
        "{o}，按照合同和相关规定，房屋空置也需要缴纳物业费，公共区域的服务是一直在提供的。",
        "{o}，我把合同条款和咱们市的相关规定发您看一下，空置房没有全额减免的说法。",
        "理解您的想法，您可以办理空置登记，我帮您问问有没有部分优惠。",
    ),
    claim_type="减免申请",
    claim_items=(
        "房屋{vacant}，申请全额减免物业费",
        "认为空置房不应缴纳物业费",
        "要求按空置标准收费",
    ),
    claim_records=(
        "管家解释空置房收费规定，业主不认可",
        "项目提供合同条款及政策文件",
        "业主同意办理空置登记后缴费",
    ),
    slots=(
        ("vacant", ("一直空着", "买来就没住过", "空了两年", "等孩子结婚才住")),
        ("law", ("物权法里写了", "我问过律师朋友", "网上都说按规定", "民法典有规定")),
    ),
    patterns=("never_paid",) * 4 + ("on_time_then_stop",) * 2 + ("partial",),
    onset=(-10, 10),
    tag_shares=(("高价值", 0.1),),
)

BANKS = {
    "spec.developer_defects": DEVELOPER_DEFECTS,
    "spec.previous_manager_dispute": PREVIOUS_MANAGER,
    "spec.blame_developer": BLAME_DEVELOPER,
    "spec.vacancy_misunderstanding": VACANCY,
}
