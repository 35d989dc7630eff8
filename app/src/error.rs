//! The one error every server function answers with. Pages decide what to
//! show by its variant, never by its text; the server logs the detail of an
//! internal failure once, where it happens, and sends only what the user
//! may read.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

pub use berth_model::FormProblem;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppError {
    /// Not signed in.
    Unauthorized,
    /// Signed in, but this is for instructors and admins.
    Forbidden,
    /// No such thing, or not one of the viewer's: the two look the same.
    NotFound,
    /// The input was refused; the page says why in words.
    Form(FormProblem),
    /// The request could not be met now. The message is for the user as
    /// it is: plain, and saying what to do next.
    Unavailable(String),
    /// Asked too often: the message says so, and asking again after
    /// `retry_after` seconds can succeed (sent as `Retry-After`).
    TooSoon { message: String, retry_after: u64 },
    /// The call itself failed: the server was not reached, or an answer or
    /// an argument could not be read.
    Call(String),
}

impl AppError {
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::Unavailable(message.into())
    }

    /// The HTTP status the server answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Form(_) | Self::Call(_) => 400,
            Self::TooSoon { .. } => 429,
            Self::Unavailable(_) => 500,
        }
    }

    /// Sets this error's status (and `Retry-After`) on the response being
    /// rendered, and returns it for `Err(...)`.
    #[cfg(feature = "ssr")]
    pub fn answer(self) -> Self {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>()
            && let Ok(status) = http::StatusCode::from_u16(self.status())
        {
            response.set_status(status);
            if let Self::TooSoon { retry_after, .. } = &self {
                response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(*retry_after));
            }
        }
        self
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unauthorized => f.write_str("Log in first."),
            Self::Forbidden => f.write_str("This needs an instructor or admin account."),
            Self::NotFound => f.write_str("There is no such page."),
            Self::Form(problem) => f.write_str(&problem_text(*problem, "")),
            Self::Unavailable(message) | Self::TooSoon { message, .. } => f.write_str(message),
            Self::Call(_) => f.write_str("The server did not answer as expected. Reload the page to try again."),
        }
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Call(value.to_string())
    }
}

/// A form problem in words; `wait` is the throttle's seconds.
pub fn problem_text(problem: FormProblem, wait: &str) -> String {
    use FormProblem::*;
    match problem {
        Credentials => "That email and password do not match an account.".into(),
        Throttled => format!("Too many attempts. Wait {wait} seconds, then try again."),
        SignupClosed => "Sign-up is closed on this server. Ask your instructor for an account.".into(),
        Email => "Enter a valid email address.".into(),
        PasswordShort => "Use a password of at least 8 characters.".into(),
        PasswordLong => "Use a password of at most 1024 characters.".into(),
        PasswordCommon => "That password is too common or too easy to guess. Try a few unrelated words.".into(),
        Invite => "That invite code is not valid: it may be mistyped, expired or used up.".into(),
        JoinCode => "That classroom link is not valid any more: it may be mistyped, expired or full. Ask your instructor for a new one.".into(),
        EmailUnavailable => "An account could not be created with this email. If you already have one, log in.".into(),
        ClassroomName => "Give the classroom a name of 1 to 100 characters.".into(),
        ClassroomDates => "Dates are written YYYY-MM-DD, and the end comes after the start.".into(),
        JoinLimit => "The number of learners who may join must be between 1 and 10000.".into(),
        CodeDays => "The join code must stay valid for 1 to 365 days.".into(),
        LabAction => "That lab could not be changed; it may have stopped already.".into(),
        Warmup => "Choose a module with a lab, 1 to 500 labs, and the time (HH:MM) until which to keep them ready."
            .into(),
        RosterUnavailable => {
            "This classroom is not tied to a course on a learning platform that shares its members. Launch Berth from the course once, as its instructor, with the platform's Names and Role Provisioning service turned on.".into()
        }
        RosterToken => "Your learning platform would not give Berth a token to read the course's members. In the platform's settings for Berth, turn on IMS LTI Names and Role Provisioning (and check the tool's key set URL).".into(),
        RosterForbidden => "Your learning platform refused to show Berth the course's members. In the platform's settings for Berth, turn on IMS LTI Names and Role Provisioning.".into(),
        RosterDown => "Your learning platform did not answer with the course's members (it may be down or busy). Nobody was added; try again later.".into(),
        RosterUnreadable => "Your learning platform's list of the course's members could not be read. Nobody was added; the server's log has the details.".into(),
    }
}

/// The problem a form was sent back with (`?error=<code>`, and `wait`
/// for the throttle), as an alert.
#[leptos::component]
pub fn FormAlert() -> impl leptos::IntoView {
    use leptos::prelude::*;
    let query = leptos_router::hooks::use_query_map();
    move || {
        query.with(|q| {
            q.get("error").map(|code| {
                let text = match code.parse::<FormProblem>() {
                    Ok(problem) => problem_text(problem, &q.get("wait").unwrap_or_default()),
                    Err(_) => "Something went wrong. Please try again.".to_string(),
                };
                view! { <p class="form-error" role="alert">{text}</p> }
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_travel_as_their_variant() {
        let e = AppError::unavailable("Start the lab first.");
        let bytes = e.ser();
        assert_eq!(AppError::de(bytes), e);
        assert_eq!(
            serde_json::to_string(&AppError::Form(FormProblem::Credentials)).unwrap(),
            r#"{"Form":"credentials"}"#
        );
        assert_eq!(AppError::Unauthorized.status(), 401);
    }
}
