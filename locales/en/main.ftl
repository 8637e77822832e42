# The site layout (templates/base.html).
skip-to-main = Skip to main content
nav-label = Main navigation
nav-home = Home
nav-catalog = Data catalog
nav-departments = Departments
nav-console = Data management
nav-admin = Administration
nav-account = My account
nav-logout = Log out
nav-login = Log in
nav-register = Register
emergency-banner-label = Emergencies
emergency-banner-lead = Emergency:{" "}
emergency-banner-text = { $count ->
    [one] { $n } emergency is being handled; its data is updated continuously.
   *[other] { $n } emergencies are being handled; their data is updated continuously.
}
emergency-banner-link = See the emergency data pages
footer-basis = Government data opened under the Anhui Provincial Measures on Government Data Resources
footer-developers = Developer API
footer-requests = Data requests
footer-showcase = Showcase
footer-stats = Statistics
footer-answers = How applications are answered
footer-classes = Unconditionally open data is free for anyone to get and use; conditionally open data may be used once an application is granted; data touching personal privacy, trade secrets or state secrets is not opened.

# Counts.
datasets-count = { $count ->
    [one] { $n } dataset
   *[other] { $n } datasets
}
datasets-total = { $count ->
    [one] { $n } dataset
   *[other] { $n } datasets
}
downloads-times = { $count ->
    [one] { $n } download
   *[other] { $n } downloads
}
class-count = { $n }

# The home page.
home-lead = Data opened by the province's government departments at every level, free to browse, download and use.
search-label = Search datasets
search-placeholder = For example: bus lines, air quality, hospitals
search-button = Search
totals-datasets = Open datasets
totals-departments = Departments
totals-records = Records
totals-downloads = Downloads
home-themes = Browse by theme
home-classes = Datasets by open class
home-classes-note = Conditionally open data may be used once an application is granted; closed data is not shown on the portal.
home-newest = Newest
home-newest-all = See all new data
home-popular = Most downloaded
home-popular-all = See the download ranking
home-departments = Departments
home-departments-all = See all { $n } departments

# A dataset in a list (templates/macros.html).
card-priority = Public-welfare priority
card-frequency = Updated:{" "}
card-updated = Last updated
error-summary = Please correct the following
field-error = Error:{" "}

# The open classes and update frequencies.
class-unconditional = Unconditionally open
class-conditional = Conditionally open
class-closed = Not open
freq-realtime = Real time
freq-daily = Daily
freq-weekly = Weekly
freq-monthly = Monthly
freq-quarterly = Quarterly
freq-semiannual = Every six months
freq-annual = Yearly
freq-irregular = Irregularly

# The catalog (templates/datasets/index.html, web/pages/datasets.rs).
breadcrumbs = You are here
catalog-search-label = Search the catalog (titles, keywords, summaries)
catalog-problems = Some filters were not valid and have been ignored
catalog-problems-rest = The results below use the other conditions.{" "}
catalog-clear-all = Clear all conditions
catalog-clear = Clear all
catalog-past-end = Page { $page } has no data: there { $pages ->
    [one] is { $pages } page
   *[other] are { $pages } pages
}.{" "}
catalog-first-page = Back to page 1
catalog-nothing = No dataset matches. Try other words or{" "}
catalog-nothing-end = .
facets-label = Filters
facets-heading = Filter
facet-selected = (selected; select again to remove)
facet-any = Any { $name }
facet-theme = Theme
facet-dept = Department
facet-open = Open class
facet-format = Format
facet-freq = Update frequency
sort-label = Sort
sort-lead = Sort by:{" "}
sort-relevance = Relevance
sort-updated = Recently updated
sort-name = Name
sort-downloads = Downloads
sort-newest = Newest
active-filters = Conditions in force
filter-remove = (remove this condition)
filter-keyword = Keywords: { $q }
filter-named = { $name }: { $value }
search-results-for = Search results for “{ $q }”
pagination = Pages
page-prev = Previous
page-next = Next

# Error pages (web/middleware.rs error_pages, templates/errors/error.html).
error-home = Back to the home page
error-catalog = Browse the data catalog
error-400-title = Bad request
error-400-message = The request was not in a form the portal understands. Please check it and try again.
error-401-title = Please log in
error-401-message = Log in to see this page.
error-403-title = Access denied
error-403-message = You may not see this page.
error-404-title = Page not found
error-404-message = The page does not exist, or the dataset is not open to the public.
error-405-title = Method not allowed
error-405-message = This address does not accept that request method.
error-409-title = Conflict
error-409-message = The action conflicts with the current state.
error-410-title = Withdrawn
error-410-message = This dataset has been withdrawn.
error-413-title = Too large
error-413-message = What was sent is larger than allowed.
error-414-title = Request too long
error-414-message = The address or the request headers are too long.
error-429-title = Too many requests
error-429-message = Too many requests. Please wait a moment and try again.
error-431-title = Request too long
error-431-message = The address or the request headers are too long.
error-500-title = Internal server error
error-500-message = Something went wrong on our side. Please try again later.
error-503-title = Service unavailable
error-503-message = The service is briefly unavailable (database or search). Please try again later.
error-507-title = Storage full
error-507-message = The portal's storage is full. Please try again later.

# Departments and themes.
departments-lead = Government departments at every level open their data under the law. The bars show how many open datasets each has.
departments-province = Provincial departments
departments-city = City departments
departments-county = County and district departments
department-level = Level
department-region = Administrative area
department-parent = Parent department
department-children = Subordinate departments
department-themes = By theme
department-empty = This department has no open datasets yet.
department-all = { $count ->
    [one] See the department's dataset
   *[other] See all { $n } of the department's datasets
}
level-province = Provincial
level-city = City
level-county = County
recently-updated = Recently updated datasets
theme-total = { $count ->
    [one] This theme has { $n } open dataset.
   *[other] This theme has { $n } open datasets.
}
theme-departments = Departments
theme-empty = This theme has no open datasets yet.
theme-all = { $count ->
    [one] See the theme's dataset
   *[other] See all { $n } datasets of this theme
}

# Logging in and registering.
field-email = Email address
field-password = Password
login-no-account = No account yet?{" "}
login-invalid = The email address or the password is not right
login-disabled = This account has been disabled; please contact the portal's administrators
register-lead = Browsing and downloading unconditionally open data needs no account. Applying for conditionally open data and using the developer API need a real-name account.
register-individual = Register as a person
register-individual-hint = For citizens: your name, resident identity card number and mobile number.
register-organisation = Register as a legal person or organisation
register-organisation-hint = For companies, research institutes and others: the organisation's name, unified social credit code and a contact person.
register-have-account = Already have an account?{" "}

# The dataset page (templates/datasets/show.html).
ds-open-lead = How it is opened:{" "}
explain-unconditional = Anyone may browse, preview and download this data without registering or logging in, and use it under its licence for research, products, consulting, data processing and other purposes.
explain-conditional = The catalog entry is public; the data itself needs a real-name account and an application, which the providing department answers within 10 working days. Once granted, it may be used only within the granted fields, manner and period, and never passed to third parties.
explain-closed = This data touches personal privacy, trade secrets or state secrets and is not opened, as the law requires.
ds-conditions-lead = Conditions:{" "}
ds-how-lead = How to get it:{" "}
ds-how = Register with your real name, log in, and apply on this page, stating the purpose, the use, the fields and the period you need, and undertaking not to pass the data to third parties.
ds-apply = Apply for this data
ds-basis-lead = Legal basis:{" "}
ds-meta = Catalog record
ds-code = Dataset code
ds-maintainer = Maintained by
ds-conditions = Conditions
ds-none = None
ds-basis = Legal basis
ds-basis-none = Not needed (unconditionally open)
ds-keywords = Keywords
list-separator = ,{" "}
ds-published = Published
ds-unpublished = Not published
ds-updated = Last updated
ds-volume = Volume
ds-records = { $count ->
    [one] { $n } record
   *[other] { $n } records
}
ds-temporal = Time span
ds-open-start = Any time
ds-to = to
ds-now = now
ds-spatial = Area
ds-region-open = {" "}(area code{" "}
ds-region-close = )
ds-region-code = Area code
ds-license = Licence
ds-views = Views
ds-downloads = Downloads
ds-created = Catalog entry created
ds-modified = Catalog entry modified
ds-fields = Fields
ds-fields-none = No field descriptions yet.
col-no = No.
col-field = Field
col-type = Type
col-description = Description
col-unit = Unit
col-masked = Masked
type-string = Text
type-integer = Integer
type-decimal = Number
type-date = Date
type-datetime = Date and time
type-boolean = Yes/no
ds-masked = Masked
ds-no = No
ds-files = Data files
ds-files-none = This dataset has no data files yet.
ds-files-conditional = This dataset is conditionally open: log in and apply; once the providing department grants it, you may download it within the granted scope and period.
col-file = File
col-records = Records
col-size = Size
col-updated = Updated
col-download = Download
ds-after-grant = Download once granted
colon = :{" "}
ds-csv-excel = CSV (for Excel)
ds-original = Original file
ds-sha = SHA-256 checksums:{" "}
list-end = ;{" "}
list-sep = ,{" "}
ds-versions = Version history:{" "}
col-version = Version
col-released = Released
ds-version = Version { $n }
ds-current = {" "}(current)
ds-preview = Preview:{" "}
ds-preview-rows = The first { $shown } of { $count ->
    [one] { $total } row
   *[other] { $total } rows
}.
ds-profile = Fields at a glance
ds-profile-caption = Each field's type, empty values, distinct values and range
col-nulls = Empty
col-distinct = Distinct
col-min = Minimum
col-max = Maximum
ds-api-query = Query it through the API
ds-your-key = YOUR_API_KEY
ds-api-doc = API documentation: query this dataset from a program
ds-api-doc-what = {" "}(fields, curl, Python and JavaScript examples
ds-api-doc-apply = , and how to apply for API access
ds-api-doc-end = )
ds-reviews = Report an error
ds-reviews-lead = Found an error in the data?{" "}
ds-reviews-link = Report it and ask for a review
ds-reviews-rule = . The department answers within 10 working days, and the progress is public.
ds-showcase-none = No showcased work uses this dataset yet.
ds-showcase-submit = Built an app or research with this dataset? Submit it
ds-ratings = Ratings
ds-ratings-none = No ratings yet.
ds-login-to-rate = {" "}to rate and comment.
ds-comments = Comments
ds-comments-none = No comments yet.
ds-review = Error report
ds-review-due = answer due
ds-review-extended = {" "}(extended)
ds-review-late = overdue
ds-link-dead = the link may be broken
ds-rating = { $mean } stars on average ({ $count ->
    [one] { $count } rating
   *[other] { $count } ratings
})
ds-your-rating = Your rating
ds-your-rating-now = {" "}(now { $count ->
    [one] { $count } star
   *[other] { $count } stars
}; you may change it)
ds-stars = { $count ->
    [one] { $count } star
   *[other] { $count } stars
}
ds-rate = Rate
ds-comment-remove = Remove
ds-this-comment = {" "}this comment
ds-comment-report = Report
ds-comment-label = Write a comment (2 to 1,000 characters; please leave no personal information)
ds-comment-post = Post
datasets-units = { $count ->
    [one] { $n } dataset
   *[other] { $n } datasets
}

# The emergency pages (templates/emergencies/).
em-feed-title = Emergency updates (Atom)
em-title = Emergency data
em-lead = When a natural disaster, an accident, a public-health event or a social-security event happens, the responsible departments open the related data here promptly and keep it updated (Article 36 of the Anhui Provincial Measures on Government Data Resources). Subscribe:{" "}
em-feed = Atom feed
em-lead-end = .
em-active = Ongoing
em-active-none = There is no ongoing emergency.
em-closed = Ended (archive)
em-closed-none = No emergency has ended yet.
em-category-natural_disaster = Natural disaster
em-category-accident = Accident
em-category-public_health = Public health
em-category-social_security = Social security
em-level-1 = Level I (extremely serious)
em-level-2 = Level II (serious)
em-level-3 = Level III (major)
em-level-4 = Level IV (general)
em-started = started
em-last-update = last update
em-no-update = no update yet
em-overdue = Update overdue:{" "}
em-overdue-text = the agreed update interval ({ $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}) has passed.

# The elder-friendly mode switch.
elder-mode = Easy reading

## Forms and charts everywhere
form-fix = Please correct the following
form-error-prefix = Error:{" "}
