//! Table definitions, written to match `migrations/*/…/up.sql` on both back-ends.

diesel::table! {
    departments (id) {
        id -> Integer,
        slug -> Text,
        name -> Text,
        level -> Text,
        region_code -> Text,
        parent_id -> Nullable<Integer>,
        description -> Text,
        created_at -> Timestamp,
        name_en -> Nullable<Text>,
        description_en -> Nullable<Text>,
    }
}

diesel::table! {
    themes (id) {
        id -> Integer,
        slug -> Text,
        code -> Text,
        name -> Text,
        name_en -> Text,
        description -> Text,
        position -> Integer,
        description_en -> Nullable<Text>,
    }
}

diesel::table! {
    datasets (id) {
        id -> Integer,
        slug -> Text,
        code -> Text,
        title -> Text,
        summary -> Text,
        keywords -> Text,
        theme_id -> Integer,
        department_id -> Integer,
        maintainer -> Text,
        open_class -> Text,
        open_conditions -> Nullable<Text>,
        legal_basis -> Nullable<Text>,
        update_frequency -> Text,
        published_at -> Nullable<Timestamp>,
        last_updated_at -> Timestamp,
        record_count -> BigInt,
        temporal_start -> Nullable<Date>,
        temporal_end -> Nullable<Date>,
        spatial_coverage -> Text,
        license -> Text,
        status -> Text,
        priority -> Bool,
        view_count -> BigInt,
        download_count -> BigInt,
        created_at -> Timestamp,
        modified_at -> Timestamp,
        public_since -> Nullable<Timestamp>,
        title_en -> Nullable<Text>,
        summary_en -> Nullable<Text>,
    }
}

diesel::table! {
    dataset_fields (id) {
        id -> Integer,
        dataset_id -> Integer,
        position -> Integer,
        name -> Text,
        data_type -> Text,
        description -> Text,
        unit -> Nullable<Text>,
        masked -> Bool,
    }
}

diesel::table! {
    dataset_formats (dataset_id, format) {
        dataset_id -> Integer,
        format -> Text,
    }
}

diesel::table! {
    resources (id) {
        id -> Integer,
        dataset_id -> Integer,
        name -> Text,
        format -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        encoding -> Text,
        row_count -> Nullable<BigInt>,
        storage_key -> Text,
        created_at -> Timestamp,
        current_version_id -> Nullable<Integer>,
    }
}

diesel::table! {
    resource_versions (id) {
        id -> Integer,
        resource_id -> Integer,
        number -> Integer,
        status -> Text,
        source_name -> Text,
        source_format -> Text,
        source_key -> Nullable<Text>,
        source_sha256 -> Text,
        source_size -> BigInt,
        encoding -> Nullable<Text>,
        delimiter -> Nullable<Text>,
        data_key -> Nullable<Text>,
        data_sha256 -> Nullable<Text>,
        data_size -> Nullable<BigInt>,
        table_name -> Nullable<Text>,
        row_count -> Nullable<BigInt>,
        rows_done -> BigInt,
        progress -> Integer,
        column_info -> Nullable<Text>,
        pii -> Nullable<Text>,
        masking -> Nullable<Text>,
        report -> Nullable<Text>,
        override_reason -> Nullable<Text>,
        override_by -> Nullable<Integer>,
        created_by -> Nullable<Integer>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        retired_at -> Nullable<Timestamp>,
        retired_reason -> Nullable<Text>,
        restarts -> Integer,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        role -> Text,
        department_id -> Nullable<Integer>,
        created_at -> Timestamp,
        kind -> Text,
        status -> Text,
        real_name -> Nullable<Text>,
        mobile -> Nullable<Text>,
        id_number_hash -> Nullable<Text>,
        id_number_masked -> Nullable<Text>,
        org_name -> Nullable<Text>,
        credit_code -> Nullable<Text>,
        password_changed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    search_outbox (id) {
        id -> BigInt,
        dataset_id -> Integer,
    }
}

diesel::table! {
    sessions (id) {
        id -> Integer,
        user_id -> Integer,
        token_hash -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        user_agent -> Text,
    }
}

diesel::table! {
    api_keys (id) {
        id -> Integer,
        user_id -> Integer,
        name -> Text,
        prefix -> Text,
        key_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        tier -> Text,
    }
}

diesel::table! {
    dataset_changes (id) {
        id -> Integer,
        dataset_id -> Integer,
        actor -> Text,
        changed_at -> Timestamp,
        action -> Text,
        changes -> Text,
        reason -> Text,
    }
}

diesel::table! {
    class_change_requests (id) {
        id -> Integer,
        dataset_id -> Integer,
        from_class -> Text,
        to_class -> Text,
        legal_basis -> Text,
        open_conditions -> Nullable<Text>,
        reason -> Text,
        requested_by -> Nullable<Integer>,
        requested_at -> Timestamp,
        status -> Text,
        decided_by -> Nullable<Integer>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
    }
}

diesel::table! {
    calendar_days (day) {
        day -> Date,
        kind -> Text,
        name -> Text,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Integer,
        occurred_at -> Timestamp,
        actor -> Text,
        action -> Text,
        target -> Text,
        details -> Text,
        prev_hash -> Text,
        hash -> Text,
        ip -> Nullable<Text>,
    }
}

diesel::table! {
    emergency_events (id) {
        id -> Integer,
        slug -> Text,
        title -> Text,
        category -> Text,
        level -> Integer,
        regions -> Text,
        department_id -> Integer,
        summary -> Text,
        started_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        status -> Text,
        update_interval_minutes -> Integer,
        created_at -> Timestamp,
        title_en -> Nullable<Text>,
        summary_en -> Nullable<Text>,
    }
}

diesel::table! {
    emergency_datasets (event_id, dataset_id) {
        event_id -> Integer,
        dataset_id -> Integer,
    }
}

diesel::table! {
    emergency_updates (id) {
        id -> Integer,
        event_id -> Integer,
        reported_at -> Timestamp,
        posted_at -> Timestamp,
        body -> Text,
        posted_by -> Nullable<Integer>,
    }
}

diesel::table! {
    emergency_values (id) {
        id -> Integer,
        update_id -> Integer,
        indicator -> Text,
        value -> Double,
        unit -> Text,
        region -> Text,
    }
}

diesel::table! {
    emergency_attachments (id) {
        id -> Integer,
        update_id -> Integer,
        file_key -> Text,
        file_name -> Text,
        media_type -> Text,
        size -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    emergency_fast_tracks (id) {
        id -> Integer,
        event_id -> Integer,
        dataset_id -> Integer,
        from_class -> Text,
        from_status -> Text,
        reason -> Text,
        published_by -> Nullable<Integer>,
        published_at -> Timestamp,
        reviewed_by -> Nullable<Integer>,
        reviewed_at -> Nullable<Timestamp>,
        review_note -> Nullable<Text>,
    }
}

diesel::table! {
    error_reviews (id) {
        id -> Integer,
        dataset_id -> Integer,
        resource_id -> Nullable<Integer>,
        location_row -> Text,
        location_field -> Text,
        description -> Text,
        correction -> Text,
        evidence_key -> Nullable<Text>,
        evidence_name -> Nullable<Text>,
        evidence_type -> Nullable<Text>,
        reporter_id -> Nullable<Integer>,
        reporter_contact -> Nullable<Text>,
        status -> Text,
        due_on -> Date,
        extended_due_on -> Nullable<Date>,
        extension_reason -> Nullable<Text>,
        answer -> Nullable<Text>,
        corrected_version_id -> Nullable<Integer>,
        created_at -> Timestamp,
        answered_at -> Nullable<Timestamp>,
        answered_by -> Nullable<Integer>,
    }
}

diesel::table! {
    data_requests (id) {
        id -> Integer,
        title -> Text,
        description -> Text,
        intended_use -> Text,
        suggested_department_id -> Nullable<Integer>,
        requested_by -> Integer,
        status -> Text,
        department_id -> Nullable<Integer>,
        routed_at -> Nullable<Timestamp>,
        due_on -> Nullable<Date>,
        answer -> Nullable<Text>,
        answered_at -> Nullable<Timestamp>,
        answered_by -> Nullable<Integer>,
        dataset_id -> Nullable<Integer>,
        votes -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    data_request_votes (request_id, user_id) {
        request_id -> Integer,
        user_id -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    usage_daily (day) {
        day -> Date,
        api_calls -> BigInt,
    }
}

diesel::table! {
    showcase_items (id) {
        id -> Integer,
        title -> Text,
        description -> Text,
        link -> Text,
        kind -> Text,
        screenshot_key -> Nullable<Text>,
        submitted_by -> Integer,
        status -> Text,
        decided_by -> Nullable<Integer>,
        decided_at -> Nullable<Timestamp>,
        reason -> Nullable<Text>,
        link_status -> Text,
        link_checked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    showcase_datasets (item_id, dataset_id) {
        item_id -> Integer,
        dataset_id -> Integer,
    }
}

diesel::table! {
    dataset_ratings (dataset_id, user_id) {
        dataset_id -> Integer,
        user_id -> Integer,
        stars -> Integer,
        rated_at -> Timestamp,
    }
}

diesel::table! {
    dataset_comments (id) {
        id -> Integer,
        dataset_id -> Integer,
        user_id -> Integer,
        body -> Text,
        status -> Text,
        reported_at -> Nullable<Timestamp>,
        moderated_by -> Nullable<Integer>,
        moderated_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(showcase_datasets -> showcase_items (item_id));
diesel::joinable!(data_request_votes -> data_requests (request_id));
diesel::joinable!(error_reviews -> datasets (dataset_id));
diesel::joinable!(emergency_attachments -> emergency_updates (update_id));
diesel::joinable!(emergency_fast_tracks -> emergency_events (event_id));
diesel::joinable!(emergency_events -> departments (department_id));
diesel::joinable!(emergency_datasets -> emergency_events (event_id));
diesel::joinable!(emergency_datasets -> datasets (dataset_id));
diesel::joinable!(emergency_updates -> emergency_events (event_id));
diesel::joinable!(emergency_values -> emergency_updates (update_id));
diesel::joinable!(datasets -> themes (theme_id));
diesel::joinable!(datasets -> departments (department_id));
diesel::joinable!(dataset_fields -> datasets (dataset_id));
diesel::joinable!(dataset_formats -> datasets (dataset_id));
diesel::joinable!(resources -> datasets (dataset_id));
diesel::joinable!(resource_versions -> resources (resource_id));
diesel::joinable!(users -> departments (department_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(api_keys -> users (user_id));
diesel::joinable!(dataset_changes -> datasets (dataset_id));
diesel::joinable!(class_change_requests -> datasets (dataset_id));

diesel::allow_tables_to_appear_in_same_query!(
    departments,
    themes,
    datasets,
    dataset_fields,
    dataset_formats,
    resources,
    users,
    audit_events,
    sessions,
    api_keys,
    dataset_changes,
    class_change_requests,
    calendar_days,
    resource_versions,
    search_outbox,
    applications,
    grants,
    notifications,
    mail_outbox,
    application_comments,
    emergency_events,
    emergency_datasets,
    emergency_updates,
    emergency_values,
    emergency_attachments,
    emergency_fast_tracks,
    error_reviews,
    data_requests,
    data_request_votes,
    usage_daily,
    showcase_items,
    showcase_datasets,
    dataset_ratings,
    dataset_comments,
);

diesel::table! {
    applications (id) {
        id -> Integer,
        dataset_id -> Integer,
        user_id -> Integer,
        purpose -> Text,
        scenario -> Text,
        fields -> Text,
        access_mode -> Text,
        period_days -> Integer,
        security_measures -> Text,
        attachment_key -> Nullable<Text>,
        attachment_name -> Nullable<Text>,
        attachment_size -> Nullable<BigInt>,
        status -> Text,
        submitted_at -> Timestamp,
        due_on -> Date,
        decided_at -> Nullable<Timestamp>,
        decided_by -> Nullable<Integer>,
        reason -> Nullable<Text>,
        overdue_notified_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    application_comments (id) {
        id -> Integer,
        application_id -> Integer,
        user_id -> Integer,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> Integer,
        user_id -> Integer,
        subject -> Text,
        body -> Text,
        link -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> Integer,
        user_id -> Integer,
        subject -> Text,
        body -> Text,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    grants (id) {
        id -> Integer,
        application_id -> Integer,
        dataset_id -> Integer,
        user_id -> Integer,
        fields -> Text,
        access_mode -> Text,
        valid_from -> Timestamp,
        valid_until -> Timestamp,
        quota -> Nullable<Integer>,
        used -> Integer,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::joinable!(applications -> datasets (dataset_id));
diesel::joinable!(grants -> applications (application_id));
