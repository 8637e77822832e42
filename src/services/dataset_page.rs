//! The public page of a dataset in one call: its catalog entry (with the preview), the error
//! reports still open on it, its ratings, comments and showcase items, as the viewer sees them.

use chrono::NaiveDate;

use super::accounts::User;
use super::catalog::{self, DatasetLookup, DatasetPage};
use super::reviews::{self, ErrorReview};
use super::showcase::{self, ItemView};
use super::social::{self, Comment, Rating};
use crate::db::{DbConnection, DbError};
use crate::domain::Slug;

/// Ratings, comments and showcase items on a dataset's page.
#[derive(Default)]
pub struct Social {
    pub rating: Rating,
    /// The viewer's own rating, when logged in.
    pub mine: Option<i32>,
    pub comments: Vec<Comment>,
    pub showcase: Vec<ItemView>,
    pub logged_in: bool,
    /// Whether the viewer moderates this dataset's comments.
    pub moderator: bool,
}

impl Social {
    pub fn is_mine(&self, stars: &i32) -> bool {
        self.mine == Some(*stars)
    }
}

/// What the page of a public dataset shows.
pub struct PublicPage {
    pub page: DatasetPage,
    /// Error reports still open, and whether each is late.
    pub reviews: Vec<(ErrorReview, bool)>,
    pub social: Social,
}

/// A dataset's page, or why there is none.
pub enum PageLookup {
    Found(Box<PublicPage>),
    /// Once public, now withdrawn by its department.
    Withdrawn {
        title: String,
    },
    /// Missing, draft or closed: indistinguishable to the public.
    NotFound,
}

/// The page of the dataset `slug` for `viewer` (logged in or not), with error reports late by
/// `today`. With `count_view` the view is counted (see [`catalog::dataset`]).
pub fn public_page(
    conn: &mut DbConnection,
    slug: &Slug,
    count_view: bool,
    viewer: Option<&User>,
    today: NaiveDate,
) -> Result<PageLookup, DbError> {
    let page = match catalog::dataset(conn, slug, count_view)? {
        DatasetLookup::Found(page) => *page,
        DatasetLookup::Withdrawn { title } => return Ok(PageLookup::Withdrawn { title }),
        DatasetLookup::NotFound => return Ok(PageLookup::NotFound),
    };
    let id = page.dataset.id;
    let reviews = reviews::open_for_dataset(conn, id, today)?;
    let social = Social {
        rating: social::rating(conn, id)?,
        mine: match viewer {
            Some(u) => social::rating_by(conn, id, u.id)?,
            None => None,
        },
        comments: social::visible(conn, id)?,
        showcase: showcase::for_dataset(conn, id)?,
        logged_in: viewer.is_some(),
        moderator: viewer.is_some_and(|u| social::moderates(u, &page.dataset)),
    };
    Ok(PageLookup::Found(Box::new(PublicPage {
        page,
        reviews,
        social,
    })))
}
