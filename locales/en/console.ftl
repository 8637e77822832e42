# Messages of the console pages (issue 20). New ids here; `touch src/i18n.rs` after adding a file.

# The console's home (templates/console/index.html).
console-new-dataset = New dataset
console-applications = Applications
console-emergencies = Emergency updates
console-feedback = Error reports
console-requests = Data requests
console-empty = Your department has no datasets yet.
console-caption = { $count ->
    [one] Your department's datasets ({ $n } dataset, drafts and withdrawn ones included)
   *[other] Your department's datasets ({ $n } datasets, drafts and withdrawn ones included)
}
console-col-title = Title
console-col-status = Status
console-col-class = Open class
console-col-modified = Last modified
console-col-actions = Actions
console-status-draft = Draft
console-status-published = Published
console-status-withdrawn = Withdrawn
console-pending-to = Awaiting approval: to become { $class }
console-files = Data files
console-history = Change history
console-public-page = Public page

# The dataset form (templates/console/form.html, web/pages/console.rs).
console-new-title = New dataset
console-edit-title = Edit: { $title }
console-edit-lead = Edit:{" "}
console-status-lead = Status:{" "}
console-pending-badge = Change of open class to “{ $class }” awaiting an administrator's approval
console-files-link = Data files (uploads and versions)
console-status-title = Publication
console-withdraw-reason = Reason for withdrawing
console-withdraw-reason-hint = Required; it is recorded publicly
console-withdraw = Withdraw the dataset
console-publish-note = Publication note
console-publish-note-hint = Required; it goes into the change history, for example “First publication”
console-republish = Publish again
console-publish = Publish the dataset
console-basics = Basic information
console-f-title = Title
console-f-title-hint = At most 100 characters
console-f-slug = Identifier (web address)
console-f-slug-hint = Lower-case letters, digits and hyphens, for example hefei-bus-routes; it cannot change once public
console-f-summary = Summary
console-f-summary-hint = What the data holds, its scope and its uses: 10 to 2,000 characters
console-f-title-en = English title
console-f-title-en-hint = Optional; at most 100 characters. Used by the English pages, English search and the open-data catalogs (DCAT, CKAN)
console-f-summary-en = English summary
console-f-summary-en-hint = Optional; when given, 10 to 2,000 characters
console-f-keywords = Keywords
console-f-keywords-hint = Separated by commas, at most 20
console-f-theme = Theme
console-choose = Please choose
console-f-maintainer = Maintained by
console-f-maintainer-hint = The office that updates the data, and its telephone number
console-opening = How it is opened
console-class-hint = Conditionally open data and data that is not open need a legal basis. Making a published dataset's open class stricter needs the approval of the portal's administrators.
console-f-conditions = Conditions
console-f-conditions-hint = Required for conditionally open data: who may apply, the uses allowed, the security required
console-f-basis = Legal basis
console-f-basis-hint = Required for conditionally open data and data that is not open, for example Article 38 of the Data Security Law of the People's Republic of China
console-f-license = Licence
console-about-data = About the data
console-f-frequency = Update frequency
console-f-formats = Formats
console-f-formats-hint = Separated by commas, for example CSV, JSON, XLSX
console-f-records = Volume (records)
console-f-start = Time span: first day
console-f-start-hint = YYYY-MM-DD; optional
console-f-end = Time span: last day
console-f-end-hint = YYYY-MM-DD; leave it empty for data that keeps being updated
console-f-spatial = Area (administrative area code)
console-f-spatial-hint = A 6-digit code within your department's area, for example 340100
console-f-priority = Closely tied to people's livelihoods: open it first (public-welfare priority)
console-f-fields = Fields
console-f-fields-hint = One field a line: name | type | description | unit | masked. The type is string, integer, decimal, date, datetime or boolean; masked is yes or no. For example: route | string | The bus route's name | | no
console-f-reason = Reason for the change
console-f-reason-hint = Why it changes (required when editing); it goes into the change history
console-save = Save the changes
console-create = Create a draft
console-masked-bad = Line { $line }: masked should be “yes” or “no”, not “{ $value }”
console-created = Draft “{ $title }” created (code { $code }). The public sees it once it is published.
console-saved-pending = Saved. Changing the open class from “{ $from }” to “{ $to }” makes it stricter, so it has gone to the portal's administrators for approval; the open class stays as it was until then.
console-saved-nothing = There was nothing to save.
console-saved = { $count ->
    [one] Saved { $n } change.
   *[other] Saved { $n } changes.
}
console-status-invalid = The status can only become “published” or “withdrawn”
console-published-flash = Published: the public can see this dataset now.
console-withdrawn-flash = Withdrawn: the public will see the reason it was withdrawn.

# The change history (templates/console/history.html).
console-history-title = Change history: { $title }
console-history-lead = Change history:{" "}
console-history-pending = Awaiting approval: the open class to change from “{ $from }” to “{ $to }”. Reason:{" "}
console-history-pending-at = {" "}(asked on { $at })
console-col-time = Time
console-col-actor = By
console-col-action = Action
console-col-changes = Changes
console-col-reason = Reason
console-action-create = Created
console-action-update = Edited
console-action-publish = Published
console-action-withdraw = Withdrawn
console-action-class_request = Stricter open class requested
console-action-class_approve = Open class change approved
console-action-class_reject = Open class change rejected

# Data files and versions (templates/console/resources.html, resource.html, version.html).
console-files-title = Data files: { $title }
console-files-lead = Data files:{" "}
console-files-existing = Files
console-files-none = No data files yet. Upload the first one with the form below.
console-files-caption-lead = Data files of{" "}
console-files-caption-end = {""}
console-col-name = Name
console-col-current = Current version
console-col-latest = Latest upload
console-current-yes = Published
console-current-no = None yet
console-upload-new = Upload a new file
console-upload-formats = CSV (UTF-8 or GBK/GB18030, separated by commas, tabs or semicolons) and Excel (XLSX, XLS: the first sheet is read), up to { $size }.
console-upload-checks = Once uploaded, the portal checks the file's structure, infers the fields' types and scans for personal information; it is published only when the checks pass.
console-f-file-name = The file's name (optional)
console-f-file-name-hint = Left empty, the uploaded file's name is used
console-f-file = Choose a file
console-upload = Upload
console-upload-flash = The file is uploaded and being checked and imported. Until that is done, the public still sees the data as it was.
console-upload-version-flash = Version { $n } is uploaded and being checked and imported. Until that is done, the public still sees the current version.
console-resource-title = { $dataset }: { $name }
console-versions = Versions
console-versions-lead = Every upload makes a new version. A new version replaces the current one only once it is imported; older versions can still be downloaded by their number.
console-versions-none = No versions yet.
console-versions-caption-lead = Versions of{" "}
console-versions-caption-end = {""}
console-col-source = Uploaded file
console-col-uploaded = Uploaded
console-col-finished = Finished
console-size-paren = {" "}({ $size })
console-upload-version = Upload a new version
console-upload-version-lead = CSV (UTF-8 or GBK), XLSX or XLS, up to { $size }. The treatments chosen for columns with personal information carry over to the new version.
console-vstatus-processing = Processing
console-vstatus-ready = Published
console-vstatus-blocked = Holds personal information: needs a decision
console-vstatus-failed = Failed
console-vstatus-unknown = Unknown
console-vstatus-retired = Retired

# A version of a data file (templates/console/version.html, web/pages/resources/versions.rs).
console-fields = Fields
console-version-title = { $name }, version { $n }
console-version-sep = ,{" "}
console-version-n = version { $n }
console-current-public = {" "}(the version the public sees)
console-source-paren = {" "}({ $format }, { $size })
console-encoding = Encoding
console-delimiter = Separator
console-tab = Tab
console-override = Approved by an administrator
console-retire-reason = Reason for retiring
console-progress = Progress
console-progress-lead = Processed{" "}
console-progress-rows = {" "}rows (
console-progress-end = %). Until it is done, the public sees the previous version.
console-progress-refresh = Reload to see the latest progress
console-progress-finished = Processing finished: { $label }.{" "}
console-progress-see = See the result
console-failed = Import failed: the file has these problems
console-failed-lead = The previous version is still served, unchanged. Please correct the file and upload it again.
console-problems = Problems
console-col-line = Line
console-col-field = Field
console-col-value = Value
console-col-problem = Problem
console-whole-file = The whole file
console-line = Line { $n }
console-original-withheld = The original file is not offered to the public
console-formulas = Some cells would run as formulas: not published yet
console-formulas-lead = Text starting with =, +, - or @ runs as a formula when opened in Excel, WPS and similar programs, and could be used to attack the people who download the data. Please check these cells: if they really are data, tick “publish them as they are” below; otherwise correct the file and upload it again.
console-formulas-caption = Cells that look like formulas
console-pii-found = Personal information found: not published yet
console-pii-found-lead = By the rules, data holding unmasked personal information cannot be opened, unconditionally or conditionally. Please choose in the table below what happens to each column with personal information:
console-pii-found-how = mask it (an identity card number keeps its area code and last four characters, as in 340104********123X; a mobile number reads like 138****5678), leave the column out, or replace it with a keyed hash (still usable to join tables).
console-pii-found-keep = Publishing the original values needs an administrator's approval, with the reason recorded.
console-pii = Personal information scan
console-pii-caption = Personal information found
console-col-column = Column
console-col-occurrences = Occurrences
console-col-examples = Examples (masked)
console-pii-resident_id = Resident identity card number
console-pii-mobile = Mobile number
console-pii-bank_card = Bank card number
console-pii-email = Email address
console-columns-lead = The portal inferred the types from all the data. Once you change a type or a treatment of personal information,{" "}
console-columns-new-version = the portal makes a new version and the current one stays as it is
console-columns-reimport = the portal imports the file again accordingly
console-columns-where = . Field descriptions and units are written on the{" "}
console-columns-edit-page = dataset's edit page
console-columns-where-end = .
console-columns-caption = Fields and their statistics
console-col-treatment = Personal information
console-type-of-lead = Type of{" "}
console-type-of-end = {""}
console-treatment-of-lead = Treatment of{" "}
console-treatment-of-end = {""}
console-choose-treatment = Please choose ({ $kinds }: { $count ->
    [one] { $count } occurrence
   *[other] { $count } occurrences
})
console-treatment-mask = Mask
console-treatment-drop = Leave the column out
console-treatment-hash = Replace with a keyed hash
console-treatment-keep = Keep the original values (approved by an administrator)
console-confirm-formulas = I have checked the cells above that look like formulas: publish them as they are
console-decide-publish = Apply and publish
console-decide-new-version = Make a new version with these settings
console-retire-title = Retire this version
console-retire-lead = Retiring deletes the version's data table, its published files and the original upload; no channel offers it any more. It cannot be undone and is recorded in the audit log. A dataset with an old version holding unmasked personal information can be opened only once that version is retired.
console-retire-reason-hint = 5 to 500 characters, for example “Holds unmasked identity card numbers; a masked version has been uploaded”
console-retire = Retire version { $n }
console-preview = Data preview (the first { $shown } of { $total } rows)
console-preview-caption = Data preview
console-bad-field = The form field { $key } is not valid
console-bad-treatment = “{ $value }” is not a treatment
console-bad-type = “{ $value }” is not a type
console-decide-nothing = There is nothing to save: choose a treatment for the columns with personal information, or change a column's type
console-decided-reimport = The treatments are saved; the file is being imported again accordingly.
console-decided-new-version = Version { $n } has been made with the new settings and is being imported.
console-retired-flash = Version { $n } is retired; its data and files have been deleted.

# Error reports (templates/console/reviews.html, review.html, web/pages/reviews.rs).
console-reviews-lead = Errors the public reported in your department's data, by answer deadline. Answer within 10 working days; a complicated case may be extended once (by at most 10 working days), and the reason is public.
console-reviews-none = There are no error reports now.
console-reviews-caption = Error reports on your department's data
console-col-number = No.
console-col-dataset = Dataset
console-col-issue = Problem
console-col-due = Answer due
console-answered-late = Answered late
console-overdue = Overdue
console-review-received = Received
console-review-reviewing = Being checked
console-review-corrected = Corrected
console-review-not_error = Checked: no error
console-review-title = Error report #{ $id }
console-review-heading = Error report #{ $id }: { $status }
console-review-dataset = Dataset{" "}
console-review-reporter = Reported by (not public)
console-review-submitted = Reported
console-review-extended = {" "}(extended:{" "}
console-review-extended-end = )
console-review-row = Row
console-review-field = Field
console-review-correction = Suggested correction
console-review-evidence = Evidence
console-review-answered = Answered
console-review-start = Start checking
console-review-answer = Answer
console-review-outcome = Outcome
console-review-answer-label = Answer (public)
console-review-answer-hint = What was checked, the conclusion and its grounds
console-review-version = The data file version with the correction (optional)
console-review-version-none = Not applicable
console-review-publish = Publish the answer
console-review-extend-title = Extend the deadline
console-review-days = Working days to extend by (1 to 10)
console-review-days-hint = It can be extended only once
console-review-extension-reason = Reason for the extension (public)
console-review-extend = Extend the deadline
console-review-started = Checking has started.
console-review-extended-flash = The deadline is extended to { $due }; the reason is public.
console-review-answered-flash = The answer is published on the report's public page.

# Data requests (templates/console/requests.html, web/pages/requests.rs).
console-requests-lead = Data requests routed to your department, by answer deadline. Answers are public; once data you agreed to open is published, link its dataset here.
console-requests-none = No requests have been routed to your department.
console-request-votes = { $count ->
    [one] { $count } person needs it
   *[other] { $count } people need it
}
console-request-open = Awaiting routing
console-request-routed = Awaiting the department's answer
console-request-accepted = The department agreed to open it
console-request-declined = Not opened for now
console-request-published = Opened
console-request-due = answer due by { $due }
console-request-accept = Open it
console-request-decline = Not for now
console-request-answer-label = Answer (public; when not opening, give the reason and its grounds)
console-request-answered = Answered:{" "}
console-request-link-label = The data is open: link its dataset
console-request-link = Link it and mark the request as opened
console-request-opened = Opened:{" "}
console-request-answered-flash = The answer is public.
console-request-linked-flash = The dataset is linked and the request marked as opened.

# Reported comments (templates/social/reported.html, web/pages/social.rs).
console-reported = Reported comments
console-reported-lead = A reported comment is hidden until it is reviewed. Restored, it shows again; removed, it is gone.
console-reported-none = No comments are waiting for review.
console-reported-restore = Restore
console-reported-remove = Remove
console-reported-restored = The comment shows again.
console-reported-removed = The comment is removed.

# Emergency updates (templates/console/emergencies.html, emergency.html).
console-em-lead = The emergencies your department is responsible for. Post updates on ongoing ones at the agreed interval; an overdue event shows a reminder on its public page.
console-em-none = Your department is responsible for no emergency now.
console-em-active = Ongoing
console-em-closed = Ended
console-em-last-update = last update { $at }
console-em-overdue = Update overdue
console-em-interval-paren = {" "}(agreed: every { $count ->
    [one] minute
   *[other] { $count } minutes
})
console-em-post = Post an update
console-em-post-title = Post an update: { $title }
console-em-post-lead = Post an update:{" "}
console-em-previous = Last update { $at }.{" "}
console-em-interval = Agreed: an update every { $count ->
    [one] minute
   *[other] { $count } minutes
}. Readers of the public page see it as soon as it is posted.
console-em-text = The update (at most 2,000 characters)
console-em-indicators = Figures (leave unused rows empty; the area is an administrative area code, empty for the whole affected area)
console-em-indicators-label = Figures
console-em-col-name = Figure
console-em-col-value = Value
console-em-col-region = Area code
console-em-cell-name = Name
console-em-row-label = Row { $n }: { $label }
console-em-file = Attachment (optional: PDF, PNG or JPEG, up to { $size })
console-em-file-hint = For example the notice itself, or a map of the affected area. The attachment is public with the update.
console-em-file-again = For safety the browser does not keep a chosen file: please choose it again.
console-em-datasets = Linked datasets
console-em-datasets-lead = Once public, the datasets linked to this event are shown on its page, and newly uploaded files can be downloaded at once.
console-em-linked = Linked datasets
console-em-linked-none = No datasets are linked yet.
console-em-link-label = Link one of your department's datasets
console-em-option = {" "}({ $class }, { $status })
console-em-option-now = {" "}(now { $class }, { $status })
console-em-link = Link
console-em-fast = Fast track
console-em-fast-lead = While the event is ongoing, a linked dataset can be opened unconditionally and published at once, without editing its catalog entry; the portal's administrators review it afterwards, and the publication is recorded in the audit log and the dataset's change history. A dataset holding unmasked personal information cannot be fast-tracked.
console-em-fast-none = All the linked datasets are already unconditionally open.
console-em-reason = Reason (recorded publicly, at most 500 characters)
console-em-fast-button = Open unconditionally and publish now
console-em-close = End the event
console-em-close-lead = End the event once the emergency response is over: it moves to the archive, its page and data stay public, and it takes no more updates.
console-em-forbidden = { $department } is responsible for this event; only its staff may post updates
console-em-bad-file = The attachment must be a PDF, PNG or JPEG file
console-em-posted = The update is posted; readers of the event's page see it at once.
console-em-linked-flash = The dataset is linked to the event; public datasets are shown on the event's page.
console-em-fast-flash = “{ $title }” is open unconditionally and published; the portal's administrators will review it afterwards (see the audit log).
console-em-closed-flash = The event has ended and moved to the archive; its page and data stay public.

# Units of emergency figures (domain::emergency::UNITS); the others are the same in both.
console-unit-people = people
console-unit-10k-people = 10,000 people
console-unit-households = households
console-unit-items = items
console-unit-places = places
console-unit-structures = structures
console-unit-rooms = rooms
console-unit-vehicles = vehicles
console-unit-vessels = vessels
console-unit-times = times
console-unit-incidents = incidents
console-unit-institutions = institutions
console-unit-businesses = businesses
console-unit-lines = lines
console-unit-hectares = hectares
console-unit-mu = mu
console-unit-10k-yuan = 10,000 yuan
console-unit-100m-yuan = 100 million yuan
console-unit-tonnes = tonnes
console-unit-10k-m3 = 10,000 m³
