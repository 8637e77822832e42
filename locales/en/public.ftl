# Messages of the public pages (issue 20). New ids here; `touch src/i18n.rs` after adding a file.

# The developer page (templates/developers/index.html).
public-dev-title = Developer API
public-dev-lead-html = The portal's catalog, data and statistics can all be read through APIs: a JSON API (<code>/api/v1</code>), a CKAN-compatible Action API (<code>/api/3/action</code>, also at <code>/api/action</code>), a DCAT-AP 3 catalog and Frictionless data packages. The complete description is the <a href="/api/openapi.json">OpenAPI 3.1 document</a>.
public-dev-keys = API keys
public-dev-keys-lead-html = Searching the catalog and reading metadata need no key. Querying rows, downloading files and using conditionally open data need one: register, log in and create it under <a href="/account/keys">“My API keys”</a>. A key is shown only once, so keep it safe. Send it in a request header:
public-dev-ph-key = kf_YOUR_KEY
public-dev-ckan-key-html = CKAN clients may put the key in <code>Authorization</code> or in <code>X-CKAN-API-Key</code>. An invalid or revoked key is refused (401 from the JSON API, 403 from the CKAN API), never treated as anonymous access.
public-dev-quotas = Rate limits
public-dev-quota-caption = Quotas by caller
public-dev-col-caller = Caller
public-dev-col-counted = Counted by
public-dev-col-per-minute = Requests per minute
public-dev-anonymous = Anonymous
public-dev-client-address = Client address
public-dev-registered = A registered user's key
public-dev-key = Key
public-dev-partner = Partner key (set by an administrator)
public-dev-search = Catalog search on the website
public-dev-downloads = Whole-file downloads at the same time
public-dev-key-or-address = Key or client address
public-dev-concurrent-unit = {""}
public-dev-quota-note-html = Quotas refill evenly; a whole minute's quota may be used at once. Every API response carries <code>RateLimit-Limit</code> (the quota), <code>RateLimit-Remaining</code> (requests left) and <code>RateLimit-Reset</code> (seconds until the quota is full again). Over the quota the answer is <code>429</code>, and <code>Retry-After</code> gives the seconds to wait.
public-dev-examples = Examples
public-dev-ex-search = Searching the catalog
public-dev-ph-search = bus
public-dev-ex-metadata = One dataset's metadata (with ETag)
public-dev-ph-etag = ETag of the last response
public-dev-ex-harvest = Incremental harvesting: datasets modified since a time
public-dev-ex-rows = Querying rows
public-dev-ph-resource = RESOURCE_ID
public-dev-ph-field = FIELD
public-dev-ph-dataset = DATASET_SLUG
public-dev-ex-ckan = CKAN-compatible API
public-dev-ph-topic = transport
public-dev-ph-org = DEPARTMENT_SLUG
public-dev-ex-sse = Live emergency data (Server-Sent Events)
public-dev-sse-html = For every update published, <code>/emergencies/EVENT_SLUG/live</code> sends an <code>update</code> event: <code>id:</code> is the update's number, <code>data:</code> the update as JSON, the same as an element of <code>updates</code> in <code>/api/v1/emergencies/EVENT_SLUG</code> (text, at, indicators, attachments). After a disconnection, reconnect with <code>Last-Event-ID</code> (a browser's EventSource sends it by itself) and every missed update is sent first.
public-dev-ph-event = EVENT_SLUG
public-dev-ph-last-id = LAST_UPDATE_ID
public-dev-ex-dcat = DCAT catalog and data packages
public-dev-errors = Error codes
public-dev-errors-json = Errors of the JSON API all read{" "}
public-dev-errors-ckan = ; those of the CKAN API{" "}
public-dev-errors-end = .
public-dev-col-status = HTTP status
public-dev-col-meaning = Meaning
public-dev-error-400 = A parameter is wrong; the message says why
public-dev-error-401 = A valid API key is needed
public-dev-error-403 = Access denied, such as conditionally open data without a valid grant
public-dev-error-404 = Does not exist, or is not open to the public
public-dev-error-409 = Conflicts with existing content, or a parameter or search condition is invalid
public-dev-error-413 = The upload is too large
public-dev-error-429 = Over the rate or concurrent-download limit; wait as Retry-After says
public-dev-error-503 = The service is briefly unavailable; please try again later
public-dev-open-classes = Open classes
public-dev-open-classes-html = Unconditionally open data is available to anyone. Of conditionally open data only the metadata is listed: the data itself can be had once an application <a href="/datasets">on the dataset's page</a> is granted, within the granted fields, period and manner. Data that is not opened appears in no API.

# A dataset's API page (templates/datasets/api.html, web/pages/dataset_api.rs).
public-api-doc = API documentation
public-api-title-sep = :{" "}
public-api-page-title = { $title }: API documentation
public-api-dept = Provided by{" "}
public-api-lead-html = . This documentation is generated from the field dictionary of the dataset's current version, the same dictionary the row API checks queries against. For what applies to every API see the <a href="/developers">developer page</a>; the complete definition is the <a href="/api/openapi.json">OpenAPI document</a>.
public-api-apply = How to get API access
public-api-conditional-html = This dataset is <strong>conditionally open</strong>:{" "}
public-api-apply-1 = Register, log in and complete your real-name details;
public-api-apply-2-before = on the{" "}
public-api-apply-2-link = application page
public-api-apply-2-after = , state the purpose and choose “API calls” as the manner of use;
public-api-apply-3 = the department answers within 10 working days; once granted, call the APIs below with your API key within the granted scope and period.
public-api-no-grant-html = Without a valid grant the API answers <code>403</code> with an explanation, and no rows.
public-api-no-files = This dataset has no data files to query yet.
public-api-resource = {" "}(resource { $id }, version { $version })
public-api-fields-of-before = Fields of{" "}
public-api-fields-of-after = {""}
public-api-col-name = Field name
public-api-col-operators = Filter operators
public-api-paren-open = {" "}(
public-api-paren-close = )
public-api-filter-html = Filters: <code>FIELD=value</code> or <code>FIELD__operator=value</code>; sorting: <code>sort=FIELD:asc|desc</code>; full text: <code>q=</code>; pages: <code>limit</code> (1–10000, 100 by default) and <code>offset</code>; earlier versions: <code>version=</code>. For example:
public-api-ph-keyword = keyword
public-api-examples = Example requests
public-api-curl-html = curl (replace <code>kf_YOUR_KEY</code> with <a href="/account/keys">your API key</a>):
public-api-answer = Response
public-api-answer-shape = Response shape (once granted)
public-api-anonymous = Anonymous (by client address)
public-api-partner = Partner key
public-api-quota-note-html = Row queries need an API key. Every response carries <code>RateLimit-Limit</code>, <code>RateLimit-Remaining</code> and <code>RateLimit-Reset</code>; over the quota the answer is <code>429</code> with <code>Retry-After</code>.

# Bar charts (templates/_bar_chart.html); the Chinese summary is written by services::preview.
public-chart-as-table = Show the chart's data as a table
public-chart-items = { $count ->
    [one] { $n } bar
   *[other] { $n } bars
}
public-chart-highest = ; the highest is “
public-chart-value-open = ” (
public-chart-lowest = ), the lowest “
public-chart-value-close = )
public-chart-from = ; from{" "}
public-chart-trend-up = {" "}up to{" "}
public-chart-trend-down = {" "}down to{" "}
public-chart-trend-level = {" "}about the same at{" "}
public-chart-one = Only one bar: “
public-chart-empty = No data yet.

# Statistics (templates/stats/, web/pages/stats.rs). public-stats-col-N: the columns of stats::DEPARTMENT_COLUMNS.
public-stats-col-0 = Department
public-stats-col-1 = Public datasets
public-stats-col-2 = With an update cycle
public-stats-col-3 = Updated on time
public-stats-col-4 = Updates overdue
public-stats-col-5 = On-time update rate
public-stats-col-6 = Error reports: received
public-stats-col-7 = Error reports: answered
public-stats-col-8 = Error reports: median time (working days)
public-stats-col-9 = Error reports: longest time (working days)
public-stats-col-10 = Error reports: overdue
public-stats-col-11 = Data requests: assigned
public-stats-col-12 = Data requests: answered
public-stats-col-13 = Data requests: median time (working days)
public-stats-col-14 = Data requests: longest time (working days)
public-stats-col-15 = Data requests: overdue
public-stats-col-16 = Applications: received
public-stats-col-17 = Applications: answered
public-stats-col-18 = Applications: median time (working days)
public-stats-col-19 = Applications: longest time (working days)
public-stats-col-20 = Applications: overdue
public-stats-col-21 = Overall score
public-stats-lead = What the portal opens, how much, and how it is used; and whether each department updates its data on its declared cycle and answers error reports, data requests and applications on time. Only counts: no personal information.
public-stats-totals = Totals
public-stats-total-datasets = Public datasets
public-stats-total-unconditional = Unconditionally open
public-stats-total-conditional = Conditionally open
public-stats-total-departments = Departments providing data
public-stats-total-records = Records
public-stats-total-capacity = Data volume (fields × records)
public-stats-total-downloads = Downloads
public-stats-total-api-calls = API calls
public-stats-totals-csv = Download the totals (CSV)
public-stats-chart-published = Public datasets by department
public-stats-chart-on-time = On-time update rate by department (%)
public-stats-chart-on-time-value = On-time update rate (%)
public-stats-departments = By department
public-stats-departments-lead = Updated on time: the last update is no older than the declared cycle (1 day for real-time and daily data, 7 for weekly, 31 for monthly, 92 for quarterly, 183 for six-monthly, 366 for yearly; irregular data is not counted). Times are in working days; overdue means answered after the deadline or not answered yet. The overall score is the mean of the on-time rates.
public-stats-departments-caption = What each department opens and how it answers
public-stats-departments-csv = Download the departments' figures (CSV)
public-stats-applications-link = How applications are answered, by dataset
public-stats-applications = How applications are answered
public-stats-applications-lead = The providing department must answer an application for conditionally open data within 10 working days. The table counts, by department and dataset, the applications, the share granted, the working days from submission to answer (median and longest) and how many were overdue (answered after the deadline or not answered yet). Withdrawn applications are not counted; the table names no applicant.
public-stats-applications-none = There are no applications yet.
public-stats-applications-caption = How each department answers applications
public-stats-app-col-what = Department / dataset
public-stats-app-col-count = Applications
public-stats-app-col-decided = Answered
public-stats-app-col-rate = Share granted
public-stats-app-col-median = Median time to answer (working days)
public-stats-app-col-longest = Longest time (working days)
public-stats-app-col-overdue = Overdue
public-stats-app-subtotal = {" "}(total)
public-stats-table-csv = Download this table (CSV)
public-stats-all = All statistics

# An emergency indicator's line chart (web/charts.rs); $what is the indicator and its unit.
public-line-summary = { $what }: { $count ->
    [one] { $count } value
   *[other] { $count } values
}, { $movement }; the highest is { $max }.
public-line-up = from { $sa } at { $a } up to { $sb } at { $b }
public-line-down = from { $sa } at { $a } down to { $sb } at { $b }
public-line-level = from { $sa } at { $a } to { $sb } at { $b }, about the same
public-line-one = { $what }: only one value, { $v } at { $t }.
public-line-none = { $what }: no data yet.

# An emergency's page (templates/emergencies/show.html, static/emergency.js: %time% and %text% are filled in by the script).
public-em-atom = {" "}(Atom)
public-em-department = Responsible department:{" "}
public-em-ended = ended
public-em-closed = Ended
public-em-subscribe = Subscribe to this event's updates (Atom)
public-em-live-reload = Reload the page to see the latest data.
public-em-live-connected = Live updates connected: new data appears here as soon as it is published.
public-em-live-connected-still = Live updates connected: a new update will be announced here.
public-em-live-received = New update received (%time%)
public-em-live-received-text = : %text%
public-em-live-received-end = .
public-em-live-show = Show the latest
public-em-last-update = Last update:{" "}
public-em-no-update = No update has been published yet.
public-em-latest = Latest figures
public-em-latest-caption = The latest value of each indicator
public-em-col-indicator = Indicator
public-em-col-value = Value
public-em-col-time = Time of the data
public-em-trends = Trends
public-em-to = {" "}to{" "}
public-em-updates = Updates
public-em-updates-or = {" "}or{" "}
public-em-attachments = Attachments
public-em-image = {""}
public-em-attachment = Attachment:{" "}
public-em-png = PNG image
public-em-jpeg = JPEG image
public-em-datasets = Related datasets
public-em-datasets-none = No related datasets yet.
public-em-updated = updated{" "}
public-em-conditional = , conditionally open: apply for it
public-em-download = Download{" "}
public-em-csv = {" "}(CSV)
public-em-overdue = the agreed interval of { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
} since the last update has passed; the figures below may not be current.
public-em-updates-many = { $n } updates; the latest 24 are shown. Every update is in the{" "}

# The showcase (templates/showcase/, web/pages/showcase.rs).
public-showcase-lead = Applications, research reports and visualisations made with the portal's open data. The works are provided by the people who submit them and shown once the portal's administrators have reviewed them.
public-showcase-submit = Submit a work
public-showcase-login = {" "}to submit a work.
public-showcase-none = No works are shown yet.
public-showcase-shot-before = Screenshot of{" "}
public-showcase-shot-after = {""}
public-showcase-kind-application = Application
public-showcase-kind-report = Research report
public-showcase-kind-visualisation = Visualisation
public-showcase-visit = Visit the work
public-showcase-dead = (the link may be broken)
public-showcase-uses = Data used:{" "}
public-showcase-new-title = Submit a work to the showcase
public-showcase-new-lead = Once the portal's administrators have reviewed it, the work is shown in the showcase and on the pages of the datasets it uses.
public-showcase-f-title = Name
public-showcase-f-kind = Kind
public-showcase-f-description = Description
public-showcase-f-description-hint = What it does, for whom, and which data it uses
public-showcase-f-link = Link
public-showcase-f-link-hint = Starting with http:// or https://
public-showcase-f-datasets = Datasets used (one a line: the dataset page's address or its identifier)
public-showcase-f-datasets-hint = For example /datasets/hefei-bus-lines
public-showcase-f-file = Screenshot (optional: PNG or JPEG, up to 5 MB; shrunk to 800 pixels wide)
public-file-again = For security, browsers do not keep a chosen file: please choose it again.
public-showcase-f-submit = Submit for review
public-showcase-unreadable = The screenshot cannot be read
public-showcase-not-image = The screenshot must be a PNG or JPEG image
public-showcase-submitted = Submitted. Once the portal's administrators approve it, the work appears in the showcase and on the pages of the datasets it uses.

# Data requests (templates/requests/, web/pages/requests.rs).
public-requests-title = Data requests
public-requests-lead = Is the data you need not open yet? Request it; others can say “I need this too”. The portal's administrators assign each request to the department concerned, which answers publicly within the set working days; once the data is opened, it is linked here.
public-requests-new = Request data
public-requests-login = {" "}to request data and vote.
public-requests-none = There are no data requests yet.
public-requests-caption = All data requests (by the number of people who need them)
public-requests-col-data = Data needed
public-requests-col-votes = People who need it
public-requests-col-status = Status
public-requests-col-department = Answering department
public-requests-col-dataset = Dataset
public-requests-late = answer overdue
public-request-status-open = Waiting to be assigned
public-request-status-routed = Waiting for the department's answer
public-request-status-accepted = The department agreed to open it
public-request-status-declined = Not opened for now
public-request-status-published = Opened
public-requests-new-lead-html = Please <a href="/datasets">search the catalog</a> first to make sure the data is not open yet. The request and the answer are public; your name and account are not.
public-requests-f-title = Data needed (4 to 100 characters)
public-requests-f-title-hint = For example: free spaces in Hefei's public car parks, in real time
public-requests-f-description = What the data should hold (10 to 2,000 characters)
public-requests-f-description-hint = Which fields, the area and period covered, how often it is updated
public-requests-f-use = Use (4 to 1,000 characters)
public-requests-f-use-hint = For example: a parking guidance app
public-requests-f-department = Suggested department (optional)
public-requests-f-unsure = Not sure
public-requests-f-submit = Submit
public-requests-created = Requested
public-requests-suggested = Suggested department
public-requests-due = , to answer by{" "}
public-requests-due-end = {""}
public-requests-opened = Opened dataset
public-requests-content = What the data should hold
public-requests-use = Use
public-requests-answer = The department's answer
public-requests-voted = You have said you need this data.
public-requests-me-too = I need this too
public-requests-login-vote = {" "}to say “I need this too”.
public-requests-submitted = Request submitted; the portal's administrators will assign it to the department concerned.
public-requests-vote-counted = Noted: you need this data too.
public-requests-vote-again = You have already voted; each account counts once.

# Error reports (templates/reviews/form.html and show.html, web/pages/reviews.rs).
public-review-title = Report an error in the data (ask for a review)
public-review-lead = If you find an error in the data, you can ask the providing department to check and correct it. The department must answer within 10 working days (submitted today, by{" "}
public-review-lead-end = ); a complicated case may be extended once, by at most 10 working days, with the reason made public. The data stays available while it is checked.
public-review-privacy = The progress and the answer are shown on a public page; your name, account and contact details are not.
public-review-f-description = What is wrong (required)
public-review-f-description-hint = For example: the opening date in row 12 differs from the bus company's announcement
public-review-f-resource = Data file (optional)
public-review-f-resource-any = Not sure, or the whole dataset
public-review-f-row = Row (optional)
public-review-f-row-hint = The row number, or something that finds the row, such as a line's name
public-review-f-field = Field (optional)
public-review-f-correction = Suggested correction (optional)
public-review-f-file = Evidence (optional: PDF, PNG or JPEG, up to 5 MB)
public-review-f-file-private = Only the providing department can see the evidence.
public-review-f-contact = Contact: email address or mobile number (required when not logged in; not made public)
public-review-f-contact-hint = To tell you the result; or log in before submitting
public-review-page-title = Error report: { $title }
public-review-not-evidence = The evidence must be a PDF, PNG or JPEG file
public-review-submitted = Your error report has been received (number { $id }); the providing department must answer by { $due }. Keep this page's address to follow its progress.
public-review-number = Error report #
public-review-status-received = Received
public-review-status-reviewing = Being checked
public-review-status-corrected = Corrected
public-review-status-not_error = Checked: no error
public-review-created = Submitted
public-review-late = past the deadline for an answer
public-review-deadline = Answer due
public-review-was = {" "}(was{" "}
public-review-extended = , extended)
public-review-ten-days = {" "}(10 working days)
public-review-extension = Reason for the extension
public-review-file = Data file
public-review-row = Row
public-review-field = Field
public-review-problem = The problem reported
public-review-correction = Suggested correction
public-review-corrected = The correction is in{" "}
public-review-corrected-link = a new version of the dataset
public-review-corrected-end = .
public-review-unanswered = Not answered yet. The data stays available while it is checked.

# Ratings and comments (templates/social/comment.html, web/pages/social.rs).
public-comment-back = Back to the dataset
public-comment-title = Write a comment
public-comment-body = Comment (2 to 1,000 characters)
public-comment-rated = Rating recorded; only each account's latest rating counts.
public-comment-posted = Comment posted.
public-comment-reported = Reported. The comment is hidden until it has been reviewed.
public-chart-by-total = {" "}(total by{" "}
public-chart-by-average = {" "}(average by{" "}
public-chart-latest = , the latest 12)
public-chart-top = , the first 12)
public-chart-total = {" "}(total)
public-chart-average = {" "}(average)

## Mail to the person who asked, reported or submitted
public-mail-request-answered-subject = Your data request has been answered
public-mail-request-answered-body = Your request “{ $title }”: { $status }. { $text }
public-mail-request-linked-subject = The data you asked for is now open
public-mail-request-linked-body = “{ $title }” is now open: { $dataset }
public-mail-showcase-approved-subject = Your work is now shown in the showcase
public-mail-showcase-rejected-subject = Your work was not accepted for the showcase
public-mail-showcase-reason-body = “{ $title }”: { $reason }
public-mail-showcase-shown-body = “{ $title }” is now shown publicly.
public-mail-review-extended-subject = The answer to your error report will take longer
public-mail-review-extended-body = The answer to error report { $id } is now due by { $until }: { $reason }
public-mail-review-answered-subject = Your error report has been answered
public-mail-review-answered-body = Error report { $id }: { $status }. { $text }
