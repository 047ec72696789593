//! The seeded demo users: PENYEDIA (suppliers) and NON PENYEDIA (government staff).

/// PENYEDIA (supplier) or NON PENYEDIA (government staff).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKind {
    /// Supplier.
    Penyedia,
    /// Government staff (PPK, Pokja, …).
    NonPenyedia,
}

impl UserKind {
    /// As shown: `PENYEDIA` / `NON PENYEDIA`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Penyedia => "PENYEDIA",
            Self::NonPenyedia => "NON PENYEDIA",
        }
    }

    /// As in URLs and forms: `penyedia` / `nonpenyedia`.
    pub fn slug(self) -> &'static str {
        match self {
            Self::Penyedia => "penyedia",
            Self::NonPenyedia => "nonpenyedia",
        }
    }

    /// From [`UserKind::slug`].
    pub fn from_slug(slug: &str) -> Option<Self> {
        match slug {
            "penyedia" => Some(Self::Penyedia),
            "nonpenyedia" => Some(Self::NonPenyedia),
            _ => None,
        }
    }
}

/// A seeded demo user.
#[derive(Debug, Clone, Copy)]
pub struct DemoUser {
    /// User ID typed at login.
    pub id: &'static str,
    /// Password (demo only: printed at start).
    pub password: &'static str,
    /// Full name.
    pub name: &'static str,
    /// E-mail address for the reset form.
    pub email: &'static str,
    /// PENYEDIA or NON PENYEDIA.
    pub kind: UserKind,
}

/// The seeded demo users.
pub const USERS: &[DemoUser] = &[
    DemoUser {
        id: "penyedia1",
        password: "penyedia1-rahasia",
        name: "PT Maju Jaya",
        email: "penyedia1@demo.test",
        kind: UserKind::Penyedia,
    },
    DemoUser {
        id: "penyedia2",
        password: "penyedia2-rahasia",
        name: "CV Sinar Terang",
        email: "penyedia2@demo.test",
        kind: UserKind::Penyedia,
    },
    DemoUser {
        id: "penyedia3",
        password: "penyedia3-rahasia",
        name: "PT Karya Nusantara",
        email: "penyedia3@demo.test",
        kind: UserKind::Penyedia,
    },
    DemoUser {
        id: "ppk1",
        password: "ppk1-rahasia",
        name: "Budi Santoso (PPK)",
        email: "ppk1@demo.test",
        kind: UserKind::NonPenyedia,
    },
    DemoUser {
        id: "pokja1",
        password: "pokja1-rahasia",
        name: "Siti Rahma (Pokja)",
        email: "pokja1@demo.test",
        kind: UserKind::NonPenyedia,
    },
];

/// Finds a demo user by id.
pub fn find_user(id: &str) -> Option<&'static DemoUser> {
    USERS.iter().find(|u| u.id == id)
}
