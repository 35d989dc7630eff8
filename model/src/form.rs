//! Why a form was sent back: the server names the problem in the address
//! (`?error=<code>`) and the page says it in words, so forms work without
//! JavaScript. The codes are spelled here only.

crate::text_enum! {
    pub enum FormProblem("form problem") {
        // Accounts.
        /// The email and password match no account.
        Credentials = "credentials",
        /// Too many attempts; the address also carries `wait` (seconds).
        Throttled = "throttled",
        /// Sign-up is closed on this server.
        SignupClosed = "closed",
        Email = "email",
        PasswordShort = "password-short",
        PasswordLong = "password-long",
        PasswordCommon = "password-common",
        Invite = "invite",
        /// The classroom link does not let anyone in any more.
        JoinCode = "join",
        /// No account can be made with this email (one may exist).
        EmailUnavailable = "unavailable",
        // Classrooms.
        ClassroomName = "name",
        ClassroomDates = "dates",
        JoinLimit = "limit",
        CodeDays = "days",
        /// A staff action on a learner's lab did not go through.
        LabAction = "lab",
        /// A request to warm labs named no module with a lab, a number of
        /// labs out of range, or no time.
        Warmup = "warmup",
        // Rosters from the LMS.
        /// The classroom has no LMS course that shares its members.
        RosterUnavailable = "roster",
        /// The platform's token endpoint refused Berth's grant.
        RosterToken = "roster-token",
        /// The membership service refused Berth's token (401, 403).
        RosterForbidden = "roster-forbidden",
        /// The membership service failed or could not be reached.
        RosterDown = "roster-down",
        /// The membership service's answer could not be read.
        RosterUnreadable = "roster-unreadable",
    }
}
