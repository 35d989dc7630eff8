crate::text_enum! {
    /// What an account may do. Instructors run classrooms; admins also
    /// manage accounts and see every classroom.
    pub enum Role("role") {
        Learner = "learner",
        Instructor = "instructor",
        Admin = "admin",
    }
}

impl Role {
    /// Instructors and admins: class-wide figures and classrooms.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Instructor | Role::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::Role;

    #[test]
    fn roles_round_trip_through_text() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), *role);
            assert_eq!(serde_json::to_string(role).unwrap(), format!("\"{role}\""));
        }
        assert!("root".parse::<Role>().is_err());
        assert!(Role::Admin.is_staff() && !Role::Learner.is_staff());
    }
}
