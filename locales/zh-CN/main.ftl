# The site layout (templates/base.html).
skip-to-main = 跳到主要内容
nav-label = 主导航
nav-home = 首页
nav-catalog = 数据目录
nav-departments = 数据提供部门
nav-console = 数据管理
nav-admin = 平台管理
nav-account = 我的账户
nav-logout = 退出
nav-login = 登录
nav-register = 注册
emergency-banner-label = 突发事件
emergency-banner-lead = 突发事件：
emergency-banner-text = 目前有 { $n } 个突发事件正在应对，相关数据持续更新。
emergency-banner-link = 查看突发事件数据专区
footer-basis = 依据《安徽省政务数据资源管理办法》开放政务数据
footer-developers = 开发者接口
footer-requests = 开放需求
footer-showcase = 应用展示
footer-stats = 统计
footer-answers = 开放申请答复情况
footer-classes = 无条件开放的数据任何人均可免费获取和使用；有条件开放的数据需经申请授权后使用；涉及个人隐私、商业秘密和国家秘密的数据不予开放。

# Counts.
datasets-count = { $n } 个数据集
datasets-total = 共 { $n } 个数据集
downloads-times = 下载 { $n } 次
class-count = { $n } 个

# The home page.
home-lead = 汇聚全省各级政务部门依法开放的数据，免费浏览、下载和使用。
search-label = 搜索数据集
search-placeholder = 例如：公交线路、空气质量、医疗机构
search-button = 搜索
totals-datasets = 开放数据集
totals-departments = 数据提供部门
totals-records = 数据记录
totals-downloads = 累计下载
home-themes = 按主题浏览
home-classes = 开放类型构成
home-classes-note = 有条件开放的数据需申请授权后使用；非开放数据不在平台展示。
home-newest = 最新发布
home-newest-all = 查看全部最新数据
home-popular = 下载最多
home-popular-all = 查看下载排行
home-departments = 数据提供部门
home-departments-all = 查看全部 { $n } 个部门

# A dataset in a list (templates/macros.html).
card-priority = 民生重点
card-frequency = 更新周期：
card-updated = 更新于
error-summary = 请修改以下内容
field-error = 错误：

# The open classes and update frequencies.
class-unconditional = 无条件开放
class-conditional = 有条件开放
class-closed = 非开放
freq-realtime = 实时
freq-daily = 每日
freq-weekly = 每周
freq-monthly = 每月
freq-quarterly = 每季度
freq-semiannual = 每半年
freq-annual = 每年
freq-irregular = 不定期

# The catalog (templates/datasets/index.html, web/pages/datasets.rs).
breadcrumbs = 当前位置
catalog-search-label = 在数据目录中搜索（标题、关键词、摘要）
catalog-problems = 部分筛选条件无效，已忽略
catalog-problems-rest = 下面显示的是其余条件的结果。
catalog-clear-all = 清除全部条件
catalog-clear = 清除全部
catalog-past-end = 第 { $page } 页没有数据：共 { $pages } 页。
catalog-first-page = 回到第 1 页
catalog-nothing = 没有找到符合条件的数据集。请尝试更换关键词或
catalog-nothing-end = 。
facets-label = 筛选条件
facets-heading = 筛选
facet-selected = （已选，点击取消）
facet-any = 不限{ $name }
facet-theme = 主题
facet-dept = 数据提供部门
facet-open = 开放类型
facet-format = 数据格式
facet-freq = 更新周期
sort-label = 排序
sort-lead = 排序：
sort-relevance = 相关度
sort-updated = 最近更新
sort-name = 名称
sort-downloads = 下载量
sort-newest = 最新发布
active-filters = 当前条件
filter-remove = （移除此条件）
filter-keyword = 关键词：{ $q }
filter-named = { $name }：{ $value }
search-results-for = “{ $q }”的搜索结果
pagination = 分页
page-prev = 上一页
page-next = 下一页

# Error pages (web/middleware.rs error_pages, templates/errors/error.html).
error-home = 返回首页
error-catalog = 浏览数据目录
error-400-title = 请求有误
error-400-message = 请求的格式不正确，请检查后重试。
error-401-title = 请先登录
error-401-message = 请登录后再访问此页面。
error-403-title = 无权访问
error-403-message = 您没有访问此页面的权限。
error-404-title = 页面不存在
error-404-message = 您访问的页面不存在，或该数据集未向社会开放。
error-405-title = 请求方法不被支持
error-405-message = 此地址不支持该请求方法。
error-409-title = 操作冲突
error-409-message = 操作与当前状态冲突。
error-410-title = 数据集已撤回
error-410-message = 该数据集已撤回。
error-413-title = 内容过大
error-413-message = 提交的内容超过了允许的大小。
error-414-title = 请求过长
error-414-message = 请求的地址或请求头过长。
error-429-title = 请求过于频繁
error-429-message = 请求过于频繁，请稍后再试。
error-431-title = 请求过长
error-431-message = 请求的地址或请求头过长。
error-500-title = 服务器内部错误
error-500-message = 处理请求时出现错误，请稍后再试。
error-503-title = 服务暂时不可用
error-503-message = 服务暂时无法使用（数据库或搜索），请稍后再试。
error-507-title = 存储空间不足
error-507-message = 存储空间不足，请稍后再试。

# Departments and themes.
departments-lead = 各级政务部门依法开放本部门的政务数据。条形长度表示开放数据集的数量。
departments-province = 省级部门
departments-city = 市级部门
departments-county = 县（区）级部门
department-level = 层级
department-region = 行政区划
department-parent = 上级部门
department-children = 下级部门
department-themes = 按主题
department-empty = 该部门暂无开放数据集。
department-all = 查看该部门全部 { $count } 个数据集
level-province = 省级
level-city = 市级
level-county = 县级
recently-updated = 最近更新的数据集
theme-total = 本主题共有 { $n } 个开放数据集。
theme-departments = 提供部门
theme-empty = 本主题暂无开放数据集。
theme-all = 查看本主题全部 { $count } 个数据集

# Logging in and registering.
field-email = 电子邮箱
field-password = 密码
login-no-account = 还没有账号？
login-invalid = 电子邮箱或密码不正确
login-disabled = 该账号已被停用，请联系平台管理员
register-lead = 浏览和下载无条件开放的数据无需注册。申请有条件开放的数据、使用开发者接口需要实名注册。
register-individual = 个人注册
register-individual-hint = 公民个人，需提供姓名、公民身份号码和手机号码。
register-organisation = 法人或其他组织注册
register-organisation-hint = 企业、科研机构等，需提供单位名称、统一社会信用代码和联系人信息。
register-have-account = 已有账号？
