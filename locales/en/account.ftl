# Messages of the account pages (issue 20). New ids here; `touch src/i18n.rs` after adding a file.

# Registering (templates/account/register.html, web/pages/account.rs).
account-register-individual-title = Register as a person
account-register-organisation-title = Register as a legal person or organisation
account-register-pii = Identity details are used only to verify your real name: the resident identity card number is not stored in plain text, and pages show only a masked form of it.
account-org-info = The organisation
account-org-name = Name of the organisation
account-org-name-hint = As on its business licence or registration certificate
account-credit-code = Unified social credit code
account-credit-code-hint = 18 characters, for example 91110108551385082Q
account-contact-info = The contact person
account-personal-info = About you
account-real-name = Name
account-contact = Contact person
account-id-number = Resident identity card number
account-id-number-hint = 18 characters; the last may be X
account-mobile = Mobile number
account-mobile-hint = An 11-digit mobile number
account-email-hint = You log in with it
account-set-password = Choose a password
account-password-hint = At least 10 characters, not containing the identity card number or the mobile number
account-password-confirm = Enter the password again
account-agree = I have read and agree to the terms of use and the privacy policy, and I declare that the information given is true
account-error-contact-name = Enter the contact person's name (2 to 50 characters)
account-error-name = Enter your name (2 to 50 characters)
account-error-org-name = Enter the name of the organisation (2 to 100 characters)
account-error-password-confirm = The two passwords are not the same
account-error-agree = Please read and agree to the terms of use and the privacy policy
account-registration-received = Your registration has been received. We will tell you the next steps by email. A newly registered account can log in straight away with its email address and password; until the portal's administrators have verified the real-name details, it may browse and download unconditionally open data.

# The account page (templates/account/show.html).
account-unverified-note = Your real-name details are waiting to be verified by the portal's administrators. Until then you may browse and download unconditionally open data and create API keys; applying for conditionally open data needs a verified account.
account-kind = Account type
account-kind-individual = Person
account-kind-organisation = Legal person or organisation
account-status = Real-name status
account-status-unverified = Awaiting verification
account-status-verified = Verified
account-status-disabled = Disabled
account-role = Role
account-role-user = Registered user
account-role-publisher = Data-providing department
account-role-admin = Administrator
account-registered-at = Registered
account-security = Security and developers
account-inbox = Messages
account-applications = My applications
account-password = Change password
account-sessions-link = Devices logged in (log out other devices)
account-keys = API keys

# Changing the password (templates/account/password.html).
account-password-current = Current password
account-password-new = New password
account-password-new-hint = At least 10 characters, not containing your mobile number
account-password-new-confirm = Enter the new password again
account-password-note = Once it is changed, other devices are logged out.
account-error-new-password-confirm = The two new passwords are not the same
account-password-changed = Your password has been changed, and other devices have been logged out.

# Sessions (templates/account/sessions.html).
account-sessions = Devices logged in
account-sessions-count = { $count ->
    [one] { $n } active login
   *[other] { $n } active logins
}
account-col-browser = Browser
account-col-logged-in = Logged in
account-col-last-used = Last used
account-col-action = Action
account-unknown-browser = Unknown browser
account-this-device = This device
account-session-end = Log out
account-session-end-which = {" "}this device
account-session-end-all = Log out all devices (this one too)
account-session-ended = That device has been logged out.

# API keys (templates/account/keys.html).
account-keys-lead = When calling the developer API, send in the request header:{" "}
account-keys-key = key
account-keys-lead-end = .
account-key-created = New key created
account-key-copy = Copy it and keep it safe now:{" "}
account-key-once = it is shown only this once
account-key-copy-end = .
account-key-name = Key name
account-key-name-hint = To tell your programs apart, for example “traffic analysis script”
account-key-create = Create key
account-keys-mine = My keys
account-keys-none = No keys yet.
account-keys-caption = My API keys
account-col-name = Name
account-col-prefix = Prefix
account-col-created = Created
account-col-status = Status
account-key-never-used = Never
account-key-revoked-on = Revoked on{" "}
account-key-revoked-end = {""}
account-key-revoke = Revoke
account-key-revoke-which-open = {" "}key “
account-key-revoke-which-close = ”
account-key-revoked = The key has been revoked; programs using it can no longer get in.

# Applications for conditionally open data (templates/applications/).
account-application-pending = Awaiting review
account-application-approved = Approved
account-application-rejected = Not approved
account-application-withdrawn = Withdrawn
account-app-no = Application{" "}
account-overdue = Overdue
account-col-no = No.
account-col-dataset = Dataset
account-col-submitted = Submitted
account-col-due = Answer due
account-withdrawn-at = Withdrawn
account-answered-at = Answered
account-purpose = Purpose
account-purpose-hint = What the data will be used for
account-scenario = Use
account-scenario-hint = For example: a research project, product development, policy advice
account-fields = Fields needed
account-fields-none = This dataset has not published its fields yet.
account-access-mode = How to get the data
account-access-download = Download files
account-access-api = Through the API
account-period = Period of use
account-period-days = Period of use (days)
account-period-hint = 1 to { $max } days
account-days = { $count ->
    [one] { $n } day
   *[other] { $n } days
}
account-security-measures = Security measures
account-security-measures-hint = How the data will be stored, who may access it, and how it will be destroyed
account-attachment = Attachment
account-attachment-optional = Attachment (optional)
account-attachment-hint = Such as a project approval or a cooperation agreement: a PDF file of at most 10 MB. After an error, choose the file again.
account-reject-reason = Why it was not approved
account-grant = Grant
account-grant-fields = Fields:{" "}
account-grant-until = ; valid until{" "}
account-grant-used-open = ; used{" "}
account-grant-used-close = {" "}times
account-grant-revoked = ; revoked:{" "}
account-thread = Messages about this application
account-thread-none = No messages yet.
account-side-applicant = Applicant
account-side-department = Data-providing department
account-comment = Message
account-comment-send = Send message
account-comment-sent = Your message has been sent.
account-apply = Application
account-apply-title = Apply: { $title }
account-apply-for-open = Apply for “
account-apply-for-close = ”
account-apply-lead = This data is{" "}
account-apply-class = conditionally open
account-apply-lead-due = . Once you apply, the providing department must answer within 10 working days (apply today, and the answer is due by{" "}
account-apply-lead-stats = ). Once granted, you may get the data within the granted fields, manner and period. How each department answers:{" "}
account-apply-lead-stats-link = answers to applications
account-apply-lead-end = .
account-apply-conditions = Conditions:{" "}
account-apply-unverified = Your account's real-name details have not been verified yet, so you cannot apply yet. Please apply once the portal's administrators have verified them.
account-undertaking = I undertake to use the data only for the purpose above, to give it to no third party, and to destroy it as required when the period ends.
account-apply-submit = Submit the application
account-error-pdf = The attachment must be a PDF file
account-applied = Application submitted (no. { $id }); the providing department should answer by { $due }.
account-applications-none = You have not applied for any data yet. The pages of conditionally open datasets have an “Apply for this data” button.
account-applications-count = { $count ->
    [one] { $n } application
   *[other] { $n } applications
}
account-withdraw = Withdraw
account-withdraw-which = {" "}application{" "}
account-withdrawn = The application has been withdrawn.
account-show-title = Application { $id }
account-inbox-none = No messages.
account-inbox-new = New
account-inbox-read-all = Mark all as read

# Reviewing applications (templates/applications/queue.html, review.html).
account-console = Data management
account-queue = Applications to review
account-queue-lead = Applications must be answered within 10 working days of submission; they are sorted by due date, and overdue ones are marked.
account-queue-none = No applications.
account-reviewers-only = Only staff of data-providing departments may see this page
account-review-title = Review application { $id }
account-grant-uses = Use of the grant
account-grant-used-times = { $count ->
    [one] Used { $n } time
   *[other] Used { $n } times
}
account-grant-quota = {" "}(at most { $n })
account-sentence-end = .
account-uses-caption = Recent uses
account-col-time = Time
account-col-channel = How
account-col-object = What
account-use-download = Download
account-revoke = Revoke the grant
account-revoke-reason = Why it is revoked (required; the applicant sees it)
account-revoked = The grant has been revoked, and the applicant has been told.
account-approve = Approve
account-approve-fields = Fields approved (you may narrow them)
account-approve-period = Period approved (days)
account-approve-period-hint = No longer than the { $days } days applied for
account-approve-quota = Most downloads or API calls
account-approve-quota-hint = Leave empty for no limit
account-reject = Do not approve
account-reject-reason-label = Why (required; the applicant sees it)
account-error-decision = Choose to approve or not to approve
account-decided-approved = approved
account-decided-rejected = not approved
account-decided = Application { $id } { $done }; the applicant can see it under “My applications”.

# What the portal tells account holders, in the inbox and by mail (services/notices.rs).
account-mail-welcome-subject = Welcome
account-mail-welcome-body = Your account has been created: you can log in with the email address and the password you registered with. Until the portal's administrators have verified your real-name details, you may browse and download unconditionally open data; you will be told the result of the verification.
account-mail-welcome-not-you = If you have not registered on this portal, please contact its administrators.
account-mail-taken-subject = Someone tried to register an account with your details
account-mail-taken-email = your email address
account-mail-taken-id-number = your resident identity card number
account-mail-taken-credit-code = your organisation's unified social credit code
account-mail-taken-and = {" "}and{" "}
account-mail-taken-body = Someone tried to register a new account on this portal with { $what }. As an existing account uses these details, the portal created no new account, and did not tell the person registering so.
account-mail-taken-if-you = If it was you: you already have an account; please log in with it. If you have forgotten your password, contact the portal's administrators.
account-mail-taken-if-not-you = If it was not you: nothing has changed in your account, and you need do nothing. If you often receive such messages, please contact the portal's administrators.
account-mail-new-subject = New application: { $title }
account-mail-new-body = Application no. { $id }; please answer by { $due }.
account-mail-approved-subject = Application approved: { $title }
account-mail-approved-body = Application no. { $id }: approved fields { $fields }, valid for { $period } days{ $quota }.
account-mail-quota = , at most { $quota } times
account-mail-rejected-subject = Application not approved: { $title }
account-mail-rejected-body = Application no. { $id }: { $reason }
account-mail-withdrawn-subject = Application withdrawn: { $title }
account-mail-withdrawn-body = Application no. { $id } has been withdrawn by the applicant; no answer is needed.
account-mail-revoked-subject = Grant revoked: { $title }
account-mail-revoked-body = The grant of application no. { $id } has been revoked: { $reason }
account-mail-comment-subject = New message about an application: { $title }
account-mail-comment-body = There is a new message about application no. { $id }; please read it.
account-mail-overdue-subject = Application overdue: { $title }
account-mail-overdue-body = Application no. { $id } was due to be answered by { $due } and has not been answered.
