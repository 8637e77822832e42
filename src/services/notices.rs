//! What the portal tells a person about their account or an application: a message in their
//! inbox, kept in Chinese as the portal keeps its records, and the same by mail, written in
//! the language of the page the action was taken on. Without a page (a background job, the
//! command line) the mail holds both languages, Chinese first.
//!
//! The words are Fluent messages (`locales/*/account.ftl`), so that each language has its own.

use chrono::NaiveDateTime;

use super::Actor;
use crate::db::DbConnection;
use crate::db::applications as rows;
use crate::i18n::Lang;

/// A subject and a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub subject: String,
    pub body: String,
}

/// The inbox's message and the mail's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub inbox: Letter,
    pub mail: Letter,
}

impl Notice {
    /// Writes the message in Chinese for the inbox, and in the language of `actor`'s page for
    /// the mail (both, when there was no page).
    pub fn new(actor: &Actor, write: impl Fn(Lang) -> Letter) -> Self {
        let inbox = write(Lang::Zh);
        let mail = match actor.lang {
            Some(Lang::Zh) => inbox.clone(),
            Some(Lang::En) => write(Lang::En),
            None => {
                let en = write(Lang::En);
                Letter {
                    subject: format!("{} / {}", inbox.subject, en.subject),
                    body: format!("{}\n\n----------------\n\n{}", inbox.body, en.body),
                }
            }
        };
        Self { inbox, mail }
    }

    /// A message to someone other than the person acting (whose page's language says nothing
    /// about theirs): the inbox in Chinese, the mail in both languages, Chinese first.
    pub fn to_another(write: impl Fn(Lang) -> Letter) -> Self {
        Self::new(&Actor::system(), write)
    }

    /// Puts the message in `user_id`'s inbox and its mail in the outbox.
    pub fn send(
        &self,
        conn: &mut DbConnection,
        user_id: i32,
        link: &str,
        at: NaiveDateTime,
    ) -> diesel::QueryResult<()> {
        rows::notify_and_mail(
            conn,
            user_id,
            (&self.inbox.subject, &self.inbox.body),
            link,
            (&self.mail.subject, &self.mail.body),
            at,
        )
    }
}

/// Message `id` in `lang` with string arguments (numbers are passed as written, so that an
/// application number reads the same in both languages).
pub fn text(lang: Lang, id: &str, args: &[(&'static str, &str)]) -> String {
    let args: Vec<_> = args
        .iter()
        .map(|(k, v)| (*k, v.to_string().into()))
        .collect();
    lang.t_args(id, &args)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(lang: Lang) -> Letter {
        Letter {
            subject: text(lang, "account-mail-comment-subject", &[("title", "公交")]),
            body: text(lang, "account-mail-comment-body", &[("id", "1234")]),
        }
    }

    #[test]
    fn the_mail_follows_the_page_and_the_inbox_stays_chinese() {
        let zh = Notice::new(&Actor::system().on_page(Lang::Zh), write);
        assert_eq!(zh.inbox, zh.mail);
        assert_eq!(zh.inbox.subject, "开放申请有新留言：公交");
        assert_eq!(zh.inbox.body, "申请编号 1234 有新留言，请查看。");
        let en = Notice::new(&Actor::system().on_page(Lang::En), write);
        assert_eq!(en.inbox, zh.inbox);
        assert_eq!(en.mail.subject, "New message about an application: 公交");
        assert!(en.mail.body.contains("1234"), "{}", en.mail.body);
        let both = Notice::new(&Actor::system(), write);
        assert!(both.mail.body.starts_with(&zh.inbox.body));
        assert!(both.mail.body.ends_with(&en.mail.body));
    }
}
