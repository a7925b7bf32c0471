"""Evidence banks of the communication dimension (沟通互动)."""

from __future__ import annotations

from .bank import CauseBank, TicketTemplate, accepted, closed, done, working

PERFUNCTORY = CauseBank(
    openers=(
        "{s}，我打客服电话说{problem}，客服说这是上一任物业的遗留问题，不归他们管，这叫什么话？",
        "{problem}，我找了客服三次，每次都让我等通知，通知呢？",
        "你们客服一听是{problem}就说找开发商，开发商说找物业，我到底找谁？",
        "客服接电话就一句'已记录'，然后就没有然后了。",
    ),
    details=(
        "我问客服叫什么名字，她直接把电话挂了。",
        "前台说这事得问工程部，工程部说得问客服，踢皮球一样。",
        "{problem}到现在还是老样子，没人来看过一眼。",
        "每次都让我重新描述一遍，记录都不留的吗？",
    ),
    refusals=(
        "你们客服那个态度，我交钱干什么？",
        "把{problem}落实到一个具体的人负责，我就交。",
        "推来推去没人管，物业费我也先放一放。",
        "先让客服给我一个正经答复，别的再说。",
    ),
    replies=(
        "{o}非常抱歉，客服这样回复是不对的，{problem}由我本人负责跟进到底。",
        "{o}，我已经把情况反馈给客服主管，会对相关同事进行培训。",
        "这件事以后您直接找我，我来协调工程部，明天上午给您结果。",
        "抱歉让您来回跑，我现在就去现场看{problem}。",
    ),
    service_lines=(
        "您好，这个问题属于上一任物业的遗留问题，我们这边没办法处理。",
        "您好，已记录，请您耐心等待通知。",
        "这个不归客服管，您找一下开发商吧。",
        "工程部今天没人，您明天再打过来问问。",
        "您说的情况我们会反馈，具体什么时候处理我也不清楚。",
    ),
    claim_type="服务态度投诉",
    claim_items=("客服互相推诿，{problem}无人负责", "客服接诉后无回访", "要求指定专人跟进"),
    claim_records=(
        "管家上门致歉，承诺专人跟进",
        "客服主管电话回访，业主仍有不满",
        "问题处理完毕后业主表示愿意缴费",
    ),
    slots=(
        (
            "problem",
            ("卫生间顶上漏水", "阳台窗户渗水", "入户门门禁卡失灵", "楼道灯不亮", "外墙空调位漏水"),
        ),
    ),
    tickets=(
        TicketTemplate(
            "其他",
            ("{problem}，要求处理", "再次反映{problem}"),
            (
                (accepted("已记录"), closed("建议业主联系开发商")),
                (accepted("已记录"), working("已转工程部", after=(1440, 4320))),
            ),
            (1, 1, 2, None),
        ),
    ),
    ticket_range=(1, 2),
    patterns=("on_time_then_stop",) * 4 + ("partial", "sporadic"),
    onset=(-30, 5),
)

HOSTILE = CauseBank(
    openers=(
        "你们{who}昨天上门说'不交费就{threat}'，这是威胁吗？",
        "{s}，我就问了一句账单，你们{who}直接吼我，这什么态度？",
        "你们{who}说'爱交不交，不交就走法律程序'，我等着他。",
        "{who}在楼下当着邻居的面说我家欠钱，让我很难堪。",
    ),
    details=(
        "他说话那个口气，好像我们业主欠他的。",
        "我录了音，你们要不要听听？",
        "我家老人被他吓得一晚上没睡好。",
        "我提了意见，他说'有意见去投诉啊'。",
    ),
    refusals=(
        "让那个{who}来给我道歉，道歉之前一分钱不交。",
        "被你们这样威胁，我偏不交，看你们敢不敢{threat}。",
        "换个人来跟我谈，那个{who}我不想再见到。",
        "态度这么差，还想让我交钱？",
    ),
    replies=(
        "{o}非常抱歉，{who}的说法是完全错误的，我们绝不会{threat}，我代表项目向您道歉。",
        "您反映的情况我已经上报，公司会严肃处理，之后由我来跟您对接。",
        "{o}，无论什么情况，物业都不能那样说话，请您原谅。",
        "我们经理想当面向您致歉，您看什么时间方便？",
    ),
    claim_type="服务态度投诉",
    claim_items=("{who}言语威胁称不交费就{threat}", "要求{who}当面道歉", "要求更换对接人员"),
    claim_records=(
        "管家上门致歉并记录业主投诉",
        "公司对相关人员进行约谈",
        "相关人员当面道歉，业主表示考虑缴费",
    ),
    slots=(
        ("who", ("项目经理", "物业经理", "客服主管", "收费员")),
        ("threat", ("停水", "停电", "锁电梯卡", "不给办门禁卡")),
    ),
    patterns=("on_time_then_stop",) * 3 + ("habitual_late", "partial"),
    tag_shares=(("敏感", 0.4),),
    onset=(3, 25),
    claim_share=0.8,
)

SINGLE_CHANNEL = CauseBank(
    openers=(
        "啊？我欠费了？我一点都不知道啊，怎么没人告诉我？",
        "我{where}，根本不知道要交物业费，你们就在楼下贴张纸？",
        "缴费通知就贴在单元门口？我一年也不从那个门走几次。",
        "之前都是自动扣款，后来不扣了也没人说一声。",
    ),
    details=(
        "你们有我的手机号也有微信，发个消息很难吗？",
        "我家门口的通知单早被风吹没了。",
        "我{where}，哪里看得到公告栏。",
        "现在一下子告诉我欠了{n}个月，还有滞纳金，这合理吗？",
    ),
    refusals=(
        "我交，但是滞纳金我不认，你们没通知我。",
        "你们通知不到是你们的问题，先把滞纳金去掉再说。",
        "以后记得发短信提醒，这次的钱我这周交。",
        "先把账单明细发我微信，我核对一下。",
    ),
    replies=(
        "{o}抱歉，之前的缴费通知主要贴在单元公告栏，是我们没考虑周全，以后会发短信和微信提醒您。",
        "{o}，账单明细我现在发您，以后每期都会提前微信通知。",
        "滞纳金的事我帮您申请，我们确实该提前联系您。",
        "您留一下常用的联系方式，以后我们多渠道提醒。",
    ),
    claim_type="费用异议",
    claim_items=("此前未收到任何缴费通知", "要求免除滞纳金", "要求开通短信提醒"),
    claim_records=(
        "管家电话联系业主，业主表示此前不知欠费",
        "项目同意免除通知不到位期间的滞纳金",
        "业主补缴欠费，登记短信微信提醒",
    ),
    slots=(("where", ("一直在外地工作", "常年住在孩子家", "在国外", "这半年都住单位宿舍")),),
    patterns=("on_time_then_stop",) * 4 + ("never_paid", "sporadic"),
    owner_initiates=False,
    reminder_start=(35, 75),
    ignore_share=0.0,
    claim_share=0.5,
    grievance=False,
)

POLICY_NOT_TOLD = CauseBank(
    openers=(
        "{policy}什么时候开始的？我怎么一点都不知道？",
        "{s}，我因为{policy}被{penalty}了，事先谁通知过我？",
        "新规定出来至少发个通知吧？{policy}我是今天才听说。",
        "你们改了{policy}，业主群里一个字都没说。",
    ),
    details=(
        "公告就在物业办公室门口贴了一张，谁会去那儿看？",
        "我问了好几个邻居，都不知道{policy}。",
        "不提前告知就执行，还{penalty}，说不过去吧。",
        "老人不会看公众号，你们就只发公众号。",
    ),
    refusals=(
        "{policy}这事先说清楚，不然物业费我先不交。",
        "你们先把被{penalty}的事撤了，我再交。",
        "通知都不到位，还好意思催费？",
        "等你们正式通知到每一户了我再交。",
    ),
    replies=(
        "{o}抱歉，{policy}的通知确实没有覆盖到位，我们会补发书面通知并入户说明。",
        "{o}，{penalty}的事我去核实，告知不到位的情况我们会撤销。",
        "以后政策调整我们会提前一个月通过短信、微信和上门三种方式告知。",
        "您说得对，我们会在业主群和每个单元都再发一遍。",
    ),
    claim_type="费用异议",
    claim_items=("{policy}事先未告知", "因不知情被{penalty}", "要求撤销处罚"),
    claim_records=(
        "管家上门解释新规并致歉",
        "项目撤销告知不到位期间的处罚",
        "业主表示理解，同意缴费",
    ),
    slots=(
        (
            "policy",
            (
                "垃圾分类新规",
                "车辆进出新规",
                "装修管理新规定",
                "缴费方式改成只能线上",
                "电动车入户禁令",
            ),
        ),
        ("penalty", ("罚款", "通报", "扣了车卡", "拒绝进门")),
    ),
    tickets=(
        TicketTemplate(
            "投诉建议",
            ("{policy}未提前告知", "对{penalty}有异议"),
            ((accepted("已记录"), done("已解释规定并补发通知", after=(600, 2880))),),
            (2, 3, None),
        ),
    ),
    ticket_range=(0, 1),
    patterns=("on_time_then_stop",) * 4 + ("habitual_late",),
    onset=(-20, 10),
)

BANKS = {
    "comm.staff_perfunctory": PERFUNCTORY,
    "comm.manager_hostile": HOSTILE,
    "comm.single_reminder_channel": SINGLE_CHANNEL,
    "comm.policy_not_communicated": POLICY_NOT_TOLD,
}
