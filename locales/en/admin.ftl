# Messages of the admin pages (issue 20). New ids here; `touch src/i18n.rs` after adding a file.

# Navigation and overview (templates/admin/_nav.html, index.html).
admin-title = Administration
admin-nav-overview = Overview
admin-nav-departments = Departments
admin-nav-users = Users
admin-nav-calendar = Holidays
admin-nav-class-changes = Open-class approvals
admin-nav-uploads = Personal data approvals
admin-nav-audit = Audit log
admin-nav-emergencies = Emergencies
admin-nav-requests = Data requests
admin-nav-assessment = Assessment
admin-unverified = Accounts awaiting verification
admin-pending-changes = Open-class changes awaiting approval
admin-overdue-title = Overdue applications
admin-overdue-none = No application is overdue.
admin-overdue-application = Application { $id }
admin-colon = :{" "}
admin-overdue-due = , due to be answered by { $due }
admin-application-stats = How each department answers applications

# Shared words.
admin-edit = Edit
admin-save = Save
admin-delete = Delete
admin-optional = Optional
admin-col-name = Name
admin-col-slug = Identifier
admin-col-level = Level
admin-col-region-code = Administrative division code
admin-col-actions = Actions

# Departments (departments.html, department_form.html).
admin-departments-title = Departments
admin-department-new = New department
admin-departments-caption = { $count ->
    [one] Departments, parents before their units ({ $n } department)
   *[other] Departments, parents before their units ({ $n } departments)
}
admin-dept-new = New department
admin-dept-edit-lead = Edit department:{" "}
admin-dept-saved = Department “{ $name }” saved.
admin-dept-slug = Identifier
admin-dept-slug-hint = Lower-case letters, digits and hyphens; it cannot change once created. For example hefei-transport
admin-dept-name = Name
admin-dept-region-code = Administrative division code
admin-dept-region-code-hint = The 6-digit code of GB/T 2260; it decides the level (province 340000, city 340100, county 340104)
admin-dept-parent = Parent department
admin-dept-parent-none = None (a top-level department)
admin-dept-description = Description
admin-dept-name-en = English name
admin-dept-name-en-hint = Optional; used by the English pages and the open data catalogues (DCAT, CKAN)
admin-dept-description-en = English description

# Users (users.html, user.html).
admin-users-title = Users
admin-users-search = Search (email, name or organisation)
admin-users-all-roles = All roles
admin-search = Search
admin-users-caption = { $count ->
    [one] { $n } account
   *[other] { $n } accounts
}
admin-page-of = , page { $page } of { $pages }
admin-col-id = No.
admin-col-email = Email
admin-col-kind = Type
admin-col-status = Status
admin-col-registered = Registered
admin-role = Role
admin-role-user = Registered user
admin-role-publisher = Data provider (department)
admin-role-admin = Administrator
admin-kind-individual = Individual
admin-kind-organisation = Legal person or other organisation
admin-status-unverified = Awaiting verification
admin-status-verified = Verified
admin-status-disabled = Disabled
admin-user-title = User #{ $id }
admin-user-kind = Account type
admin-user-org = Organisation
admin-user-credit-code = Unified social credit code
admin-user-real-name = Name
admin-user-id-number = Resident ID number
admin-user-mobile = Mobile number
admin-user-settings = Role and status
admin-user-department = Department (data provider accounts only)
admin-none = None
admin-user-status = Real-name status
admin-user-disable-hint = Disabling logs the account out everywhere at once; its API keys stop working too.
admin-user-saved = Account settings saved.
admin-keys-title = API keys and quotas
admin-keys-none = This user has no API key.
admin-keys-caption = API keys (partner keys have larger quotas; see{" "}
admin-keys-caption-link = Developer API
admin-keys-caption-end = )
admin-keys-prefix = Prefix
admin-keys-tier = Quota tier
admin-key-revoked = Revoked
admin-key-live = Valid
admin-key-tier-of-lead = Quota tier of “
admin-key-tier-of-end = ”
admin-tier-registered = Standard
admin-tier-partner = Partner
admin-tier-unknown = The quota tier must be registered or partner, not “{ $tier }”
admin-tier-set-partner = The key is now a partner key.
admin-tier-set-registered = The key is now a standard key.

# The holiday calendar (calendar.html).
admin-cal-title = Holidays and make-up workdays in { $year }
admin-cal-lead = Working days are Monday to Friday, less the holidays below, plus the make-up workdays (weekend days worked in exchange for a holiday). Answer deadlines count working days: 10 working days from today ({ $today }) end on{" "}
admin-cal-lead-end = {"."}
admin-cal-year = { $year }
admin-cal-empty = No holidays have been entered for { $year } yet.
admin-cal-caption = { $year } ({ $count ->
    [one] { $count } day
   *[other] { $count } days
})
admin-cal-day = Date
admin-day-holiday = Holiday
admin-day-workday = Make-up workday
admin-cal-add-title = Add a date
admin-cal-name-hint = For example: National Day; National Day make-up workday
admin-cal-add = Add
admin-cal-added = { $day } added.
admin-cal-removed = { $day } removed.

# Open-class changes (class_changes.html).
admin-cc-title = Approval of open-class changes
admin-cc-lead = A published dataset is moved to a stricter open class only with an administrator's approval; until then it keeps its open class.
admin-cc-none = There are no change requests.
admin-decision-pending = Awaiting approval
admin-decision-approved = Approved
admin-decision-rejected = Rejected
admin-cc-change = Change
admin-cc-reason = Reason
admin-cc-basis = Legal basis
admin-cc-conditions = Conditions of use
admin-cc-requested = Submitted
admin-cc-decided = Decided
admin-cc-note = Decision note (required to reject)
admin-approve = Approve
admin-reject = Reject
admin-cc-choose = Please choose approve or reject
admin-cc-approved = Approved; the open class has changed.
admin-cc-rejected = Rejected.

# Uploads held back for personal data (uploads.html).
admin-up-title = Uploads with personal data
admin-up-lead = Personal data that is not masked was found in these uploads; they wait for the providing department to choose how to mask it. Where the law or the consent of the persons concerned requires the original values to be published, an administrator may approve that; the reason goes into the audit log.
admin-up-none = No upload is waiting.
admin-up-version = , version { $n }
admin-comma = ,{" "}
admin-up-class = Open class
admin-up-file = Uploaded file
admin-up-found = Found
admin-up-column-lead = Column “
admin-up-column-end = ”:{" "}
admin-up-count = {" "}× { $count } (for example{" "}
admin-up-count-end = )
admin-pii-resident-id = resident ID number
admin-pii-mobile = mobile number
admin-pii-bank-card = bank card number
admin-pii-email = email address
admin-up-reason = Reason for the approval (required; it goes into the audit log)
admin-up-override = Approve publishing the original values
admin-up-overridden = Approved and recorded in the audit log; the version is being imported.

# The audit log (audit.html). Action codes (login.ok, dataset.publish …) are shown as stored.
admin-audit-intact = The hash chain is intact: { $count ->
    [one] { $n } record
   *[other] { $n } records
}, with no sign of any being changed or deleted.
admin-audit-broken = The hash chain breaks at record { $id }: that record or one before it was changed or deleted.
admin-audit-actor = Actor
admin-audit-action-prefix = Action (prefix)
admin-audit-target-prefix = Object (prefix)
admin-from = From
admin-to = To
admin-filter = Filter
admin-audit-verify = Verify the hash chain
admin-audit-caption = { $count ->
    [one] { $n } record
   *[other] { $n } records
}
admin-audit-time = Time
admin-audit-action = Action
admin-audit-target = Object
admin-audit-details = Details
admin-audit-bad-date = “{ $field }” must be a date between 1900 and 2100, written YYYY-MM-DD

# Emergencies (emergencies.html).
admin-em-lead = When an emergency happens, declare it here and name the responsible department; that department's data providers then keep publishing data under “Data management › Emergency updates” or through the API.
admin-em-none = There are no emergencies yet.
admin-em-caption = All emergencies
admin-em-event = Event
admin-em-category = Category
admin-em-department = Responsible department
admin-em-last-update = Last update
admin-em-active = Ongoing
admin-em-overdue = update overdue
admin-em-closed = Ended
admin-ft-title = Review of fast-tracked publications
admin-ft-lead = While an event is ongoing, the responsible department may open a related dataset unconditionally at once (fast track). Every fast track goes into the audit log marked “awaiting review”; check whether opening the data was right and record your view. A dataset that should not be open is put back to its former open class by the department in the catalogue (a restriction needs an administrator's approval).
admin-ft-none = Nothing has been fast-tracked.
admin-paren-open = {" "}(
admin-paren-close = )
admin-ft-event = {" "}· Event:{" "}
admin-ft-published = {" "}fast-tracked; it was { $from } before. Reason:{" "}
admin-dataset-draft = draft
admin-dataset-published = published
admin-dataset-withdrawn = withdrawn
admin-ft-reviewed = Reviewed
admin-ft-pending = Awaiting review
admin-ft-note = Review note
admin-ft-submit = Record the review
admin-ft-saved = The review has been recorded.
admin-em-declare = Declare an emergency
admin-em-f-title = Name of the event
admin-em-f-slug = Web address identifier (lower-case letters, digits and hyphens, e.g. 2026-chaohu-flood)
admin-em-f-level = Response level (1 = level I, extremely serious … 4 = level IV, general)
admin-em-f-regions = Affected areas (administrative division codes separated by commas, e.g. 340100,341500)
admin-choose = Please choose
admin-em-f-summary = Summary
admin-em-f-title-en = English title
admin-em-f-title-en-hint = Optional; at most 100 characters
admin-em-f-summary-en = English summary
admin-em-f-summary-en-hint = Optional; at most 1,000 characters
admin-em-f-interval = Agreed update interval (minutes)
admin-em-f-datasets = Related datasets (dataset identifiers separated by commas; may be left empty)
admin-em-submit = Declare the event
admin-em-declared = The emergency is declared; the responsible department can now publish updates.

# Routing data requests (requests.html).
admin-req-title = Routing data requests
admin-req-lead = Route each request to a department that can provide the data; the department answers within { $days } working days (the setting{" "}
admin-req-lead-end = {" "}changes this). A request not yet answered may be routed again.
admin-req-none = There are no data requests yet.
admin-req-votes = { $count ->
    [one] { $n } person needs it
   *[other] { $n } people need it
}
admin-req-status-open = Awaiting routing
admin-req-status-routed = Awaiting the department's answer
admin-req-status-accepted = The department will open the data
admin-req-status-declined = Not opened for now
admin-req-status-published = Opened
admin-req-late = answer overdue
admin-req-suggested = Suggested:{" "}
admin-req-routed = Routed to:{" "}
admin-req-route-to = Route to
admin-req-route = Route
admin-req-routed-flash = Routed; the department is to answer by { $due }.

# Reviewing the showcase (showcase.html).
admin-sc-title = Showcase review
admin-sc-pending = Awaiting review
admin-sc-pending-none = Nothing is awaiting review.
admin-sc-shot = Screenshot of { $title }
admin-sc-kind-application = Application
admin-sc-kind-report = Research report
admin-sc-kind-visualisation = Visualisation
admin-sc-link = Link:{" "}
admin-sc-datasets = Data used:{" "}
admin-sc-reason = Reason for not showing it (leave empty to approve)
admin-sc-approve = Approve
admin-sc-reject = Do not show
admin-sc-approved = Shown
admin-sc-check-lead = Links are checked automatically once a day; broken links are marked in the showcase.{" "}
admin-sc-check = Check the links now
admin-sc-link-ok = link works
admin-sc-link-dead = link broken
admin-sc-link-unchecked = not checked yet
admin-sc-approved-flash = Approved; the work is now shown publicly.
admin-sc-rejected-flash = Recorded: not shown; the submitter has been told why.
admin-sc-checked = Links checked: { $alive } working, { $dead } broken (marked in the showcase).

# The assessment (assessment.html).
admin-as-lead = Each department over an assessment period: the datasets published in the period, how many were up to date at its end, and whether the error reports received, the data requests routed and the applications received in the period were answered in time (in working days, up to the end of the period). The overall score is the average of the on-time rates.
admin-as-submit = Assess
admin-as-period = { $from } to { $to }
admin-as-api-calls = { $count ->
    [one] { $n } API call in the period.
   *[other] { $n } API calls in the period.
}
admin-as-caption = Assessment of each department ({ $from } to { $to })
admin-as-csv = Download this assessment (CSV)
admin-as-chart-title = Overall score of each department (%)
admin-as-chart-value = Overall score (%)
admin-as-col-department = Department
admin-as-col-published = Public datasets
admin-as-col-with-cycle = With an update cycle
admin-as-col-on-time = Updated on time
admin-as-col-late-updates = Update overdue
admin-as-col-update-rate = On-time update rate
admin-as-col-reviews-received = Error reports: received
admin-as-col-reviews-answered = Error reports: answered
admin-as-col-reviews-median = Error reports: median time (working days)
admin-as-col-reviews-worst = Error reports: longest time (working days)
admin-as-col-reviews-late = Error reports: overdue
admin-as-col-requests-routed = Data requests: routed
admin-as-col-requests-answered = Data requests: answered
admin-as-col-requests-median = Data requests: median time (working days)
admin-as-col-requests-worst = Data requests: longest time (working days)
admin-as-col-requests-late = Data requests: overdue
admin-as-col-applications-received = Applications: received
admin-as-col-applications-answered = Applications: answered
admin-as-col-applications-median = Applications: median time (working days)
admin-as-col-applications-worst = Applications: longest time (working days)
admin-as-col-applications-late = Applications: overdue
admin-as-col-score = Overall score

# The assessment period as typed (web/pages/stats.rs).
admin-as-not-a-date = “{ $raw }” is not a date; write it like 2026-01-31
admin-as-end-before-start = The end date cannot be before the start date
admin-as-too-long = An assessment period is at most three years
