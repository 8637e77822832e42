# Messages of the admin pages (issue 20). New ids here; `touch src/i18n.rs` after adding a file.

# Navigation and overview (templates/admin/_nav.html, index.html).
admin-title = 平台管理
admin-nav-overview = 概览
admin-nav-departments = 部门
admin-nav-users = 用户
admin-nav-calendar = 节假日
admin-nav-class-changes = 开放类型审批
admin-nav-uploads = 个人信息核准
admin-nav-audit = 审计日志
admin-nav-emergencies = 突发事件
admin-nav-requests = 开放需求
admin-nav-assessment = 考核评估
admin-unverified = 待核验账号
admin-pending-changes = 待审批的开放类型变更
admin-overdue-title = 逾期未答复的开放申请
admin-overdue-none = 没有逾期未答复的开放申请。
admin-overdue-application = 申请 { $id }
admin-colon = ：
admin-overdue-due = ，应于 { $due } 前答复
admin-application-stats = 各部门开放申请答复情况

# Shared words.
admin-edit = 编辑
admin-save = 保存
admin-delete = 删除
admin-optional = 可不填
admin-col-name = 名称
admin-col-slug = 标识
admin-col-level = 层级
admin-col-region-code = 行政区划代码
admin-col-actions = 操作

# Departments (departments.html, department_form.html).
admin-departments-title = 部门管理
admin-department-new = 新建部门
admin-departments-caption = 部门（按上下级排列，共 { $count } 个）
admin-dept-new = 新建部门
admin-dept-edit-lead = 编辑部门：
admin-dept-saved = 已保存部门“{ $name }”。
admin-dept-slug = 标识
admin-dept-slug-hint = 小写字母、数字和连字符，创建后不能修改，例如 hefei-transport
admin-dept-name = 名称
admin-dept-region-code = 行政区划代码
admin-dept-region-code-hint = GB/T 2260 的 6 位代码；层级由代码决定（省 340000、市 340100、县 340104）
admin-dept-parent = 上级部门
admin-dept-parent-none = 无（顶级部门）
admin-dept-description = 简介
admin-dept-name-en = 英文名称（English name）
admin-dept-name-en-hint = 可不填；英文页面和开放数据目录（DCAT、CKAN）使用
admin-dept-description-en = 英文简介（English description）

# Users (users.html, user.html).
admin-users-title = 用户管理
admin-users-search = 搜索（电子邮箱、名称或单位）
admin-users-all-roles = 全部角色
admin-search = 搜索
admin-users-caption = 共 { $count } 个账号
admin-page-of = ，第 { $page }/{ $pages } 页
admin-col-id = 编号
admin-col-email = 电子邮箱
admin-col-kind = 类型
admin-col-status = 状态
admin-col-registered = 注册时间
admin-role = 角色
admin-role-user = 注册用户
admin-role-publisher = 数据提供部门
admin-role-admin = 管理员
admin-kind-individual = 个人
admin-kind-organisation = 法人或其他组织
admin-status-unverified = 待核验
admin-status-verified = 已核验
admin-status-disabled = 已停用
admin-user-title = 用户 #{ $id }
admin-user-kind = 账号类型
admin-user-org = 单位名称
admin-user-credit-code = 统一社会信用代码
admin-user-real-name = 姓名
admin-user-id-number = 公民身份号码
admin-user-mobile = 手机号码
admin-user-settings = 角色与状态
admin-user-department = 所属部门（仅数据提供部门账号）
admin-none = 无
admin-user-status = 实名状态
admin-user-disable-hint = 停用会立即退出该账号的所有登录；API 密钥也随之失效。
admin-user-saved = 已保存账号设置。
admin-keys-title = API 密钥与调用配额
admin-keys-none = 该用户没有 API 密钥。
admin-keys-caption = API 密钥（合作伙伴密钥的配额更高，见{" "}
admin-keys-caption-link = 开发者接口
admin-keys-caption-end = ）
admin-keys-prefix = 前缀
admin-keys-tier = 配额等级
admin-key-revoked = 已撤销
admin-key-live = 有效
admin-key-tier-of-lead = “
admin-key-tier-of-end = ”的配额等级
admin-tier-registered = 普通
admin-tier-partner = 合作伙伴
admin-tier-unknown = 配额等级只能是 registered 或 partner，不是“{ $tier }”
admin-tier-set-partner = 已设为合作伙伴密钥。
admin-tier-set-registered = 已设为普通密钥。

# The holiday calendar (calendar.html).
admin-cal-title = { $year } 年节假日与调休
admin-cal-lead = 工作日为周一至周五，减去下表中的放假日，加上调休上班日。答复期限按工作日计算：今天（{ $today }）起 10 个工作日截至{" "}
admin-cal-lead-end = 。
admin-cal-year = { $year } 年
admin-cal-empty = { $year } 年还没有录入节假日。
admin-cal-caption = { $year } 年（共 { $count } 天）
admin-cal-day = 日期
admin-day-holiday = 放假
admin-day-workday = 调休上班
admin-cal-add-title = 添加日期
admin-cal-name-hint = 例如：国庆节、国庆节调休上班
admin-cal-add = 添加
admin-cal-added = 已添加 { $day }。
admin-cal-removed = 已删除 { $day }。

# Open-class changes (class_changes.html).
admin-cc-title = 开放类型变更审批
admin-cc-lead = 已发布的数据集改为更严格的开放类型，须经平台管理员审批；批准前保持原开放类型。
admin-cc-none = 没有变更申请。
admin-decision-pending = 待审批
admin-decision-approved = 已批准
admin-decision-rejected = 已驳回
admin-cc-change = 变更
admin-cc-reason = 理由
admin-cc-basis = 法律依据
admin-cc-conditions = 开放条件
admin-cc-requested = 提交时间
admin-cc-decided = 处理时间
admin-cc-note = 审批意见（驳回时必填）
admin-approve = 批准
admin-reject = 驳回
admin-cc-choose = 请选择批准或驳回
admin-cc-approved = 已批准，开放类型已变更。
admin-cc-rejected = 已驳回。

# Uploads held back for personal data (uploads.html).
admin-up-title = 含个人信息的上传
admin-up-lead = 这些上传中发现了未脱敏的个人信息，正在等待数据提供部门选择脱敏方式。确有法律依据或当事人同意需要公开原值的，可由平台管理员核准；核准理由记入审计日志。
admin-up-none = 没有等待处理的上传。
admin-up-version = {" "}第 { $n } 版
admin-comma = ，
admin-up-class = 开放类型
admin-up-file = 上传文件
admin-up-found = 发现
admin-up-column-lead = “
admin-up-column-end = ”列：
admin-up-count = {" "}{ $count } 处（如{" "}
admin-up-count-end = ）
admin-pii-resident-id = 公民身份号码
admin-pii-mobile = 手机号码
admin-pii-bank-card = 银行卡号
admin-pii-email = 电子邮箱
admin-up-reason = 核准理由（必填，记入审计日志）
admin-up-override = 核准按原值发布
admin-up-overridden = 已核准并记入审计日志，该版本正在导入。

# The audit log (audit.html). Action codes (login.ok, dataset.publish …) are shown as stored.
admin-audit-intact = 哈希链完整：共 { $n } 条记录，没有被修改或删除的痕迹。
admin-audit-broken = 哈希链在第 { $id } 号记录处断开：该记录或它之前的记录被修改或删除。
admin-audit-actor = 操作人
admin-audit-action-prefix = 操作（前缀）
admin-audit-target-prefix = 对象（前缀）
admin-from = 开始日期
admin-to = 结束日期
admin-filter = 筛选
admin-audit-verify = 校验哈希链
admin-audit-caption = 共 { $count } 条
admin-audit-time = 时间
admin-audit-action = 操作
admin-audit-target = 对象
admin-audit-details = 详情
admin-audit-bad-date = { $field }应为 1900 至 2100 年间的日期，格式 YYYY-MM-DD

# Emergencies (emergencies.html).
admin-em-lead = 发生突发事件时，在这里发布事件并指定负责部门；负责部门的数据提供人员随后在“数据管理 › 突发事件更新”或通过 API 持续发布数据。
admin-em-none = 还没有突发事件。
admin-em-caption = 全部突发事件
admin-em-event = 事件
admin-em-category = 事件类别
admin-em-department = 负责部门
admin-em-last-update = 最近更新
admin-em-active = 进行中
admin-em-overdue = 更新逾期
admin-em-closed = 已结束
admin-ft-title = 快速发布的事后复核
admin-ft-lead = 事件进行中，负责部门可以把关联的数据集立即无条件开放（快速发布）。每次快速发布都记入审计日志，标为“待复核”；请核对开放是否恰当并记录意见。不应开放的数据集，由部门在目录中改回原来的开放类型（限制开放需管理员审批）。
admin-ft-none = 没有快速发布的记录。
admin-paren-open = （
admin-paren-close = ）
admin-ft-event = · 事件{" "}
admin-ft-published = {" "}快速发布，原为{ $from }；理由：
admin-dataset-draft = 草稿
admin-dataset-published = 已发布
admin-dataset-withdrawn = 已撤回
admin-ft-reviewed = 已复核
admin-ft-pending = 待复核
admin-ft-note = 复核意见
admin-ft-submit = 记录复核意见
admin-ft-saved = 复核意见已记录。
admin-em-declare = 发布突发事件
admin-em-f-title = 事件名称
admin-em-f-slug = 网址标识（小写字母、数字和连字符，如 2026-chaohu-flood）
admin-em-f-level = 响应级别（1 = Ⅰ级特别重大 … 4 = Ⅳ级一般）
admin-em-f-regions = 受影响地区（行政区划代码，逗号分隔，如 340100,341500）
admin-choose = 请选择
admin-em-f-summary = 事件概况
admin-em-f-title-en = 英文名称（English title）
admin-em-f-title-en-hint = 可不填；最多 100 字
admin-em-f-summary-en = 英文概况（English summary）
admin-em-f-summary-en-hint = 可不填；最多 1000 字
admin-em-f-interval = 约定的更新间隔（分钟）
admin-em-f-datasets = 相关数据集（数据集标识，逗号分隔，可留空）
admin-em-submit = 发布事件
admin-em-declared = 突发事件已发布，负责部门现在可以发布更新。

# Routing data requests (requests.html).
admin-req-title = 开放需求分派
admin-req-lead = 把需求分派给能提供数据的部门；部门应在 { $days } 个工作日内答复（可在设置{" "}
admin-req-lead-end = {" "}中调整）。未答复的需求可以改派。
admin-req-none = 还没有开放需求。
admin-req-votes = { $n } 人需要
admin-req-status-open = 待分派
admin-req-status-routed = 待部门答复
admin-req-status-accepted = 部门同意开放
admin-req-status-declined = 暂不开放
admin-req-status-published = 已开放
admin-req-late = 答复逾期
admin-req-suggested = 建议：
admin-req-routed = 已分派：
admin-req-route-to = 分派给
admin-req-route = 分派
admin-req-routed-flash = 已分派；部门应在 { $due } 前答复。

# Reviewing the showcase (showcase.html).
admin-sc-title = 应用展示审核
admin-sc-pending = 待审核
admin-sc-pending-none = 没有待审核的作品。
admin-sc-shot = { $title }的截图
admin-sc-kind-application = 应用
admin-sc-kind-report = 研究报告
admin-sc-kind-visualisation = 可视化作品
admin-sc-link = 链接：
admin-sc-datasets = 用到的数据：
admin-sc-reason = 不予展示的理由（通过时不填）
admin-sc-approve = 通过
admin-sc-reject = 不予展示
admin-sc-approved = 已展示
admin-sc-check-lead = 链接每天自动检查一次；失效的链接会在展示中标出。
admin-sc-check = 立即检查链接
admin-sc-link-ok = 链接可访问
admin-sc-link-dead = 链接已失效
admin-sc-link-unchecked = 尚未检查
admin-sc-approved-flash = 已通过，作品已公开展示。
admin-sc-rejected-flash = 已记录：不予展示，理由已告知提交人。
admin-sc-checked = 链接检查完成：{ $alive } 个可访问，{ $dead } 个已失效（已在展示中标出）。

# The assessment (assessment.html).
admin-as-lead = 按评估期统计各部门：期内发布的数据集、期末按时更新的情况，以及期内收到的纠错、分派的开放需求和收到的开放申请是否按时答复（按工作日计，截至期末）。综合得分为各项按时率的平均值。
admin-as-submit = 评估
admin-as-period = { $from } 至 { $to }
admin-as-api-calls = 期内接口调用 { $n } 次。
admin-as-caption = 各部门考核评估（{ $from } 至 { $to }）
admin-as-csv = 下载本期评估（CSV）
admin-as-chart-title = 各部门综合得分（%）
admin-as-chart-value = 综合得分（%）
admin-as-col-department = 部门
admin-as-col-published = 公开数据集
admin-as-col-with-cycle = 有更新周期的
admin-as-col-on-time = 按时更新
admin-as-col-late-updates = 更新逾期
admin-as-col-update-rate = 按时更新率
admin-as-col-reviews-received = 纠错：收到
admin-as-col-reviews-answered = 纠错：已答复
admin-as-col-reviews-median = 纠错：用时中位数（工作日）
admin-as-col-reviews-worst = 纠错：最长用时（工作日）
admin-as-col-reviews-late = 纠错：逾期
admin-as-col-requests-routed = 开放需求：分派
admin-as-col-requests-answered = 开放需求：已答复
admin-as-col-requests-median = 开放需求：用时中位数（工作日）
admin-as-col-requests-worst = 开放需求：最长用时（工作日）
admin-as-col-requests-late = 开放需求：逾期
admin-as-col-applications-received = 开放申请：收到
admin-as-col-applications-answered = 开放申请：已答复
admin-as-col-applications-median = 开放申请：用时中位数（工作日）
admin-as-col-applications-worst = 开放申请：最长用时（工作日）
admin-as-col-applications-late = 开放申请：逾期
admin-as-col-score = 综合得分

# Reported comments (social/reported.html, also /console/comments).
admin-cm-title = 被举报的评论
admin-cm-lead = 被举报的评论在审核前不显示。恢复后重新显示；删除后不再显示。
admin-cm-none = 没有待审核的评论。
admin-cm-dataset = 数据集{" "}
admin-cm-restore = 恢复显示

# The assessment period as typed (web/pages/stats.rs).
admin-as-not-a-date = “{ $raw }”不是日期，请写成 2026-01-31 的格式
admin-as-end-before-start = 结束日期不能早于开始日期
admin-as-too-long = 评估期最长三年
