//! Labs as everyone names them.

crate::text_enum! {
    /// What a learner asks of their own lab.
    pub enum LabAction("lab action") {
        Start = "start",
        Stop = "stop",
        Reset = "reset",
        /// Half the lifetime again, once.
        Extend = "extend",
    }
}

crate::text_enum! {
    /// What staff may do to a learner's lab from the classroom.
    pub enum StaffLabAction("lab action") {
        Stop = "stop",
        Reset = "reset",
        /// Half the lifetime again, as often as staff ask.
        Extend = "extend",
    }
}

crate::text_enum! {
    /// A lab record's state: at most one starting or running lab per
    /// learner and module. A lab of the warm pool is `starting` with no
    /// owner while it is made, then `pooled` until a learner claims it.
    pub enum LabStatus("lab status") {
        Starting = "starting",
        Pooled = "pooled",
        Running = "running",
        Ended = "ended",
    }
}

crate::text_enum! {
    /// Why a lab ended, as its record keeps it.
    pub enum EndReason("lab end reason") {
        /// The learner or staff stopped it.
        Stopped = "stopped",
        /// Stopped to start afresh.
        Reset = "reset",
        /// Its lifetime was up.
        Expired = "expired",
        /// Left idle too long.
        Idle = "idle",
        /// A warm lab nobody claimed, ended to make room for a learner's.
        GivenBack = "given back",
        /// Making it failed.
        Failed = "failed",
        /// Its containers were no longer on its engine.
        Gone = "gone",
        /// Berth stopped while it was being made.
        Interrupted = "interrupted",
        /// Its host stopped answering: only its record is ended; the host
        /// removes its containers when it answers again.
        Lost = "lost",
    }
}

crate::text_enum! {
    /// Whether a lab host takes new labs.
    pub enum HostState("host state") {
        /// Takes new labs while it has room.
        Active = "active",
        /// Takes no new labs; the ones it runs run on until they end.
        Draining = "draining",
        /// Stopped answering: its labs were ended. It takes new labs again
        /// once it answers.
        Lost = "lost",
    }
}

/// A lab's container: 1 to the number of nodes its module asks for. One
/// node is an ordinary lab.
pub type NodeNumber = u8;
