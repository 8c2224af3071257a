"""The scope lexicons the guard weighs: off-topic signals against our users' world (data, not rules).

Weights: 3 = unmistakable alone, 2 = strong, 1 = supporting only. ``guard`` decides with them.
"""

from __future__ import annotations

import re


def _lexicon(table: dict[str, dict[float, str]]) -> dict[str, float]:
    """Flatten {category: {weight: "term term …"}} to {term: weight} (a term keeps its highest weight)."""
    out: dict[str, float] = {}
    for by_weight in table.values():
        for weight, terms in by_weight.items():
            for term in terms.split():
                out[term] = max(weight, out.get(term, 0.0))
    return out


_MEDICAL = (
    "发烧 退烧 感冒 咳嗽 腹泻 拉肚子 吃什么药 备点什么药 挂号 偏方 布洛芬 抗生素 疫苗接种 "
    "尿酸 血脂 胆固醇 甲状腺 结节 化验单 转氨酶 高烧 抽搐 腰疼 腰痛 按摩 核酸"
)
# Off-topic signals by category. Weights: 3 = unmistakable alone, 2 = strong, 1 = supporting only.
OFF_TOPIC_TERMS = _lexicon(
    {
        "weather": {
            3.0: "天气 天气预报 气温 降温 下雨吗 下雪吗 下不下雨 会不会下雨 台风 雾霾 weather",
            1.0: "带伞 穿什么",
        },
        "health": {
            3.0: _MEDICAL,
            2.0: "症状 头疼 嗓子疼 血压 血糖 过敏 看病 看医生 中医 减肥 体检报告 体检卡 吃东西 空腹 健身房",
            1.0: "药 医院 身体 失眠",
        },
        "travel": {
            3.0: "旅游 行程 机票 火车票 高铁票 民宿 签证 自驾游 旅行 度假 农家乐",
            2.0: "景点 酒店 攻略 玩两天 玩几天 去哪玩 好玩 停车 高速免费 打车 网约车 限行 违章",
            1.0: "周末",
        },
        "food": {
            3.0: "火锅 餐厅 美食 奶茶 菜谱 食谱 菜单 荤素搭配 外卖 烧烤 小吃 红烧 月饼 家常菜 菜馆 饭馆 川菜 粤菜 湘菜 "
            "recipe",
            2.0: "好吃 好喝 饭店 做菜 怎么炒 食材 甜品 咖啡 普洱 茶叶 泡茶 盒饭 吃什么 零食 水果",
        },
        "shopping": {
            3.0: "性价比 淘宝 京东 拼多多 优惠券 双十一 口红 护肤 化妆品 值得买 生日礼物",
            2.0: "耳机 笔记本电脑 相机 哪款 型号 包邮 奖品 礼物 羽绒服 团购",
            1.5: "手机 价格 多少钱",
            1.0: "品牌 买 衣服 便宜",
        },
        "finance": {
            3.0: "房贷 贷款 利率 等额本息 等额本金 月供 首付 理财 股票 炒股 基金 涨停 比特币 汇率 大盘 抄底 年化",
            2.0: "公积金 利息 收益率 个税 年终奖",
            1.5: "投资 保险",
        },
        "code": {
            3.0: "python java javascript c++ sql 编程 代码 快速排序 排序算法 正则表达式 爬虫 github html css excel",
            2.0: "算法 函数 报错 bug 前端 后端 数据库 linux 服务器",
        },
        "games": {3.0: "王者荣耀 原神 吃鸡 打游戏 手游 英雄联盟 steam 上分", 2.0: "游戏 通关"},
        "entertainment": {
            3.0: "电影 电视剧 综艺 明星 八卦 追星 演唱会 动漫 好听的歌 周杰伦 movie",
            2.0: "歌曲 音乐 小说 网红 歌手 演员",
            1.0: "好看 推荐",
        },
        "sports": {
            3.0: "比分 nba 世界杯 欧冠 进球 球队 湖人 勇士 足球赛 篮球赛",
            2.0: "足球 篮球 球赛 谁赢了",
        },
        "homework": {
            3.0: "解方程 方程 求导 微积分 数学题 鸡兔同笼 奥数 几何题 作业题",
            2.0: "等于多少 算一下",
            1.5: "作业",
        },
        "translation": {3.0: "翻译 translate", 1.0: "英文 英语 日语 韩语"},
        "creative": {
            3.0: "一首诗 首诗 写诗 作诗 古诗 唐诗 宋词 情书 情话 段子 土味 绕口令 歌词 写首歌 藏头诗 打油诗 小作文 "
            "生日祝福 祝福语 证婚词 婚礼致辞 祝酒词",
            2.0: "诗词 作文 写小说",
        },
        "chitchat": {
            3.0: "星期几 礼拜几 几月几号 今天几号 几点了 现在几点 农历 黄历 你吃饭了吗 无聊",
            2.0: "在干嘛 聊聊天 陪我聊",
        },
        # trivia only: science words (量子, 宇宙) stand in real reports (科技创新) and a KB may answer them
        "knowledge": {3.0: "恐龙 外星人 最高的山 最长的河 首都是 人口最多的国家"},
        "device": {
            3.0: "截屏 截图 蓝牙 wifi 路由器 重装系统 刷机 连不上网 电脑卡 手机卡 内存不足 充电器 打印机 卡纸 空调温度 投影仪 饮水机 咖啡机 群名",
            2.0: "电脑 软件 下载 安装 字体 空调 短信",
        },
        # everyday things a request may ask for (a head noun), by kind
        "everyday": {
            3.0: "甜点 蛋糕 粽子 汤圆 夜宵 下午茶 跑步机 洗衣机 冰箱 电视机 微波炉 热水器 扫地机 净化器 加湿器 电饭煲 "
            "复印机 扫描仪 u盘 鼠标 键盘 显示器 洗车 油价 车险 汽车保养 租车 包车 大巴车 发财树 绿植 盆栽 鱼缸 "
            "金鱼 猫粮 狗粮 ktv 剧本杀 密室逃脱 桌游 中考 高考 分数线 考研 补课 家教 辅导班 高数 家长会 劳动合同 "
            "学区房 学区 小升初 幼升小 择校 上小学 入园 转学 "
            "离婚协议 打官司 律师费 穿搭 发型 理发 护照 牙疼 颈椎病",
            2.0: "保养 大巴 怎么养 穿什么衣服 哪个牌子 行李",
        },
        # a 机关's own chores asked in work words (单位食堂的菜单, 科室的值班表): what is asked for is off topic
        "chores": {
            3.0: "值班表 排班表 请假条 会议室预订 订会议室 报销单 医保 社保 养老金 高考志愿 填志愿 平摊 aa制",
            2.0: "会议室 份子钱 随礼",
            1.5: "幼儿园 航班",  # news speaks of them (保教费, 航班备降): a head, not evidence alone
        },
        "misc": {
            3.0: "星座 运势 算命 风水 彩票 男朋友 女朋友 宠物 装修 租房 买房 驾照 笑话 脑筋急转弯 快递",
            2.0: "恋爱 相亲 婚礼 养花 绿萝 多肉 浇水 流浪猫 流浪狗",
            1.0: "猫 狗",
        },
    }
)
OFF_TOPIC_PATTERNS = [
    (re.compile(r"\d+(?:\.\d+)?度"), 1.0),  # a temperature
    (re.compile(r"(?:去|到)[^，。,]{1,6}玩"), 2.0),
    (re.compile(r"\d\s*[+*/×÷^]\s*\d|\d\s*-\s*\d+\s*=|[xy]\s*[+\-=]\s*\d"), 2.0),  # arithmetic, equations
    (re.compile(r"[\d一二三四五六七八九十百]+(?:加|减|乘以?|除以)[\d一二三四五六七八九十百]+"), 2.0),  # 1加1
    (re.compile(r"[a-z]{3,}(?:\s+[a-z]{2,}){3,}"), 1.0),  # a run of English words
]
# Domain signals. Weight >= STRONG_DOMAIN keeps a request in scope on its own.
DOMAIN_TERMS = _lexicon(
    {
        "party": {
            3.0: "党 支部 党支部 党员 党建 党课 党日 党史 党性 党风 党纪 党委 党组 入党 发展对象 积极分子 三会一课 "
            "谈心谈话 谈心 组织生活 民主生活会 民主评议 初心 使命 总书记 习近平 新时代 红色 红色旅游 红色教育 革命 理想信念",
        },
        "ideology": {
            3.0: "思想政治 思政 意识形态 思想工作 思想教育 思想动态 理论学习 学习教育 主题教育 宣讲 爱国主义 社会主义 "
            "马克思 形式主义 官僚主义 政治",
            2.0: "思想 宣传 精神 先进典型 模范 榜样",
        },
        "organisation": {
            3.0: "机关 干部 廉政 廉洁 作风 纪律 纪检 巡视 巡察 共青团 团员 团委 工会 统战 群众 公务员 干警 教职工 "
            "书记 班子 述职 组织部 宣传部 群团 通讯员 内部刊物 新媒体 机构改革 转业",
            2.0: "职工 单位 领导 基层 考核 制度 队伍 凝聚力 积极性 志愿 团建 关爱 慰问 红歌 评选 评比 表彰 评优 评先",
        },
        "management": {
            2.0: "上班 工作时间 影响工作 做工作 怎么管 如何管理 怎么教育 怎么引导 疏导 谈话",
        },
        "drafting": {
            1.5: "调研 讲稿 讲话稿 提纲 方案 心得 体会 总结 计划 报告",
            1.0: "政策 同事 学习 教育 培训 活动 会议 开会 部门 处室 科室 组织 集体 文化 氛围 读书 刊物 网站 公众号",
        },
    }
)
# a named government body (县税务局, 市委办公厅, 省直机关…) puts a request in our users' world
GOV_UNIT = re.compile(r"[省市县区乡镇][^，。,？?]{0,8}(?:局|委|办|厅|院|部|中心|机关)")

# --- what a request asks for (guard._asks_off_topic) -------------------------------------------------
# A request's object follows a request marker (帮我排一下…菜单, 领导让我订…机票) or a determiner
# question word (哪家健身房, 多少个税), and stands before an adverbial one (…空调温度怎么调, 干部能不能
# 炒股: the permission questions are questions); the last lexicon term there is its head, what it asks for.
ASK_MARKER = re.compile(
    r"(?P<req>(?:帮|替)(?![扶助带教困])|给我|请(?![假示教柬客])|麻烦|让我|叫我|要我)"
    r"|(?P<wh>哪|什么|啥|多少|几)"
    r"|(?P<q>怎么|怎样|如何|咋|吗|呢|是否|能不能|能否|可否|可不可以|要不要|要紧|好不好|行不行)"
)
CLAUSE_BREAK = re.compile(r"[，。；！？,.;!?：:、…\n]+")
# "…怎么办 / 怎么管 / 怎么谈" about a person is how to handle that person: our users' work
HANDLING = re.compile(r"(?:怎么|如何|咋)(?:办|管|劝|谈|处理|引导|教育|提醒|帮助|关心|说服|批评|应对|整)")
PEOPLE = re.compile(r"同事|党员|干部|职工|员工|有人|个别人|年轻人|青年|老同志|下属|同志|群众|大家|他们")
# a medical head (发烧, 结节) makes "…怎么办" a medical question, whoever it is about
MEDICAL = frozenset(_MEDICAL.split())
# heads of our users' own asks that weigh nothing as evidence (这个工作怎么做)
DOMAIN_HEADS = frozenset({"工作"})
# Domain words that only say where or who (the setting: 单位食堂的菜单, 领导让我订的机票): they keep no
# request in scope whose head is off topic. Topic words (党员, 党日, 谈心谈话, 思想工作…) still do.
SETTING = frozenset("单位 机关 领导 同事 部门 处室 科室 职工 书记 支部 党支部 班子 集体 团建".split())
# what a request may ask for: our words, and off-topic words more than supporting (not 推荐, 便宜, 药)
ASK_HEADS = (*DOMAIN_TERMS, *DOMAIN_HEADS, *(t for t, w in OFF_TOPIC_TERMS.items() if w > 1.0))
