"""Evidence banks of the behaviour dimension (行为因素)."""

from __future__ import annotations

from .bank import CauseBank

FORGETFUL = CauseBank(
    openers=(
        "不好意思，{excuse}给忘了，{when}就交。",
        "哎呀，{excuse}，完全没想起来，谢谢提醒！",
        "好的好的，{when}弄。",
        "不好意思{s}，{excuse}，{when}一定交。",
        "收到，{when}就交，麻烦你了。",
        "抱歉抱歉，又拖了，{when}交上。",
    ),
    details=(
        "已经交了，你看下到了没。",
        "公众号缴费入口在哪来着？每次都找不到。",
        "能不能设置成自动扣款？省得我老忘。",
        "刚交了一个月的，剩下的{when}补上。",
        "麻烦再把链接发我一下，上次那个找不到了。",
    ),
    refusals=(
        "啊又忘了，{when}一定交！",
        "{excuse}，{when}回来就交。",
        "知道知道，{when}弄，不好意思哈。",
        "这就交，刚才在开会没看手机。",
        "好的，{when}交，别担心。",
    ),
    replies=(
        "好的{o}，不着急，缴费链接我发您微信了。",
        "收到，谢谢{o}！有任何问题随时找我。",
        "好的{o}，您方便时在公众号'生活缴费'里就能交。",
        "没关系{o}，您忙完了再弄，祝您工作顺利～",
        "收到啦，已经到账了，谢谢{o}支持！",
    ),
    claim_type="无诉求",
    claim_items=("业主对服务无异议，表示近期缴纳", "业主咨询线上缴费方式"),
    claim_records=(
        "电话沟通，业主表示{excuse}未及时缴费",
        "业主承诺{when}缴纳",
        "业主已缴纳部分费用",
    ),
    slots=(
        (
            "excuse",
            (
                "最近出差",
                "这阵子太忙",
                "孩子开学事多",
                "最近在外地",
                "家里装修忙晕了",
                "一直在加班",
                "手机换了没看到",
            ),
        ),
        ("when", ("今晚", "明天", "这两天", "周末", "下周一", "发工资那天")),
    ),
    patterns=("habitual_late",) * 5 + ("sporadic",) * 2 + ("on_time_then_stop",) * 2 + ("partial",),
    owner_initiates=False,
    reminder_start=(1, 20),
    ignore_share=0.3,
    claim_share=0.1,
    grievance=False,
    tag_shares=(("高价值", 0.1), ("老年", 0.06)),
)

MALICIOUS = CauseBank(
    openers=(
        "不交。",
        "有本事去告我。",
        "我就不交，你们能把我怎么样？",
        "物业费？我从来不交，前面的物业也没拿我怎么样。",
        "忙着呢，别烦我。",
        "交什么交，{dodge}。",
    ),
    details=(
        "你们去法院告啊，告赢了我就交。",
        "邻居欠得比我多，你们先找他们去。",
        "我刚从{trip}回来，累着呢，这事以后再说。",
        "你们服务没什么问题，我就是不想交。",
        "别一天到晚发消息，烦不烦。",
    ),
    refusals=(
        "{dodge}。",
        "下个月吧。",
        "再说吧。",
        "我说了不交就不交。",
        "有本事去告我，我等着。",
        "这钱我有，就是不给你们。",
        "我{dodge}，你们找我没用。",
    ),
    replies=(
        "{o}，如果您对我们的服务有任何意见，请直接告诉我，我们一定改进。",
        "{o}，物业费是按照物业服务合同约定缴纳的，希望能和您当面沟通一次。",
        "好的{o}，那您看哪天方便，我们约个时间面谈？",
        "{o}，我们会按规定寄送书面缴费通知，也随时欢迎您来服务中心沟通。",
    ),
    claim_type="无诉求",
    claim_items=("业主未提出具体意见", "业主表示不会缴纳"),
    claim_records=(
        "管家上门，业主未开门",
        "电话沟通，业主未说明原因，表示不会缴纳",
        "业主称'有本事去告'，沟通未果",
        "向业主送达书面缴费通知",
    ),
    slots=(
        (
            "dodge",
            (
                "家里钱都是我老婆管，问她去",
                "房子是我爸的名字，找他去",
                "我在国外，回来再说",
                "最近忙",
                "我律师说可以不交",
            ),
        ),
        ("trip", ("三亚", "日本", "欧洲", "西藏")),
    ),
    patterns=("never_paid",) * 4 + ("sporadic",) * 2 + ("on_time_then_stop",),
    owner_initiates=False,
    reminder_start=(1, 15),
    ignore_share=0.55,
    claim_share=0.4,
    grievance=False,
    tag_shares=(("问题业主", 0.85), ("高价值", 0.15)),
)

BANKS = {
    "beh.forgetful": FORGETFUL,
    "beh.malicious": MALICIOUS,
}
