//! Regions, zones and the localities a product exists in.
//!
//! Scaleway APIs are *zoned* (`/instance/v1/zones/fr-par-1/...`), *regional*
//! (`/k8s/v1/regions/fr-par/...`) or *global* (`/iam/v1alpha1/...`).
//!
//! Two parsing modes exist on purpose:
//!
//! * **User input** (`FromStr`, builder arguments) is strict: only the localities this
//!   crate knows are accepted, and the error lists them. Configuration (`default_zone`,
//!   `default_region`) also takes a well-formed one it does not know, with a warning in
//!   the [`ConfigReport`](crate::ConfigReport), as the Go SDK does.
//! * **Server data** (serde `Deserialize`) is lenient: a well-formed locality that this
//!   version does not know yet becomes [`Region::Other`] / [`Zone::Other`], so a new
//!   Scaleway region never breaks parsing.
//!
//! ```
//! use scaleway_core::{Region, Zone};
//!
//! let zone: Zone = "nl-ams-2".parse()?;
//! assert_eq!(zone.region(), Region::NlAms);
//! assert!("fr-par-4".parse::<Zone>().is_err());
//! # Ok::<(), scaleway_core::LocalityError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Scaleway region, such as `fr-par`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Region {
    /// Paris, France (`fr-par`).
    FrPar,
    /// Amsterdam, the Netherlands (`nl-ams`).
    NlAms,
    /// Warsaw, Poland (`pl-waw`).
    PlWaw,
    /// Milan, Italy (`it-mil`).
    ItMil,
    /// A well-formed region this version does not know, as sent by the server.
    Other(String),
}

/// A Scaleway availability zone, such as `fr-par-1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Zone {
    /// `fr-par-1`
    FrPar1,
    /// `fr-par-2`
    FrPar2,
    /// `fr-par-3`
    FrPar3,
    /// `nl-ams-1`
    NlAms1,
    /// `nl-ams-2`
    NlAms2,
    /// `nl-ams-3`
    NlAms3,
    /// `pl-waw-1`
    PlWaw1,
    /// `pl-waw-2`
    PlWaw2,
    /// `pl-waw-3`
    PlWaw3,
    /// `it-mil-1`
    ItMil1,
    /// A well-formed zone this version does not know, as sent by the server.
    Other(String),
}

/// Error returned when user input names a region or zone this crate does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LocalityError {
    /// The value is not a known region.
    #[error("unknown region `{value}`; known regions: {known}")]
    UnknownRegion {
        /// The rejected value.
        value: String,
        /// The accepted values, comma-separated.
        known: String,
    },
    /// The value is not a known zone.
    #[error("unknown zone `{value}`; known zones: {known}")]
    UnknownZone {
        /// The rejected value.
        value: String,
        /// The accepted values, comma-separated.
        known: String,
    },
}

impl Region {
    /// Every region this version knows, in Scaleway's usual order.
    pub const ALL: [Region; 4] = [Region::FrPar, Region::NlAms, Region::PlWaw, Region::ItMil];

    /// The region's API name, e.g. `fr-par`.
    pub fn as_str(&self) -> &str {
        match self {
            Region::FrPar => "fr-par",
            Region::NlAms => "nl-ams",
            Region::PlWaw => "pl-waw",
            Region::ItMil => "it-mil",
            Region::Other(s) => s,
        }
    }

    /// The zones of this region that this version knows (empty for [`Region::Other`]).
    pub fn zones(&self) -> &'static [Zone] {
        match self {
            Region::FrPar => &Zone::ALL[0..3],
            Region::NlAms => &Zone::ALL[3..6],
            Region::PlWaw => &Zone::ALL[6..9],
            Region::ItMil => &Zone::ALL[9..10],
            Region::Other(_) => &[],
        }
    }

    /// Whether this is a region this version knows (not [`Region::Other`]).
    pub fn is_known(&self) -> bool {
        !matches!(self, Region::Other(_))
    }

    /// Lenient parsing for server data: any well-formed region is accepted, unknown ones
    /// become [`Region::Other`]. Returns `None` for a value that is not shaped like a region.
    pub fn from_server(s: &str) -> Option<Region> {
        if let Ok(r) = s.parse() {
            return Some(r);
        }
        is_region_shaped(s).then(|| Region::Other(s.to_owned()))
    }

    fn known_list() -> String {
        join(Region::ALL.iter().map(Region::as_str))
    }
}

impl Zone {
    /// Every zone this version knows.
    pub const ALL: [Zone; 10] = [
        Zone::FrPar1,
        Zone::FrPar2,
        Zone::FrPar3,
        Zone::NlAms1,
        Zone::NlAms2,
        Zone::NlAms3,
        Zone::PlWaw1,
        Zone::PlWaw2,
        Zone::PlWaw3,
        Zone::ItMil1,
    ];

    /// The zone's API name, e.g. `fr-par-1`.
    pub fn as_str(&self) -> &str {
        match self {
            Zone::FrPar1 => "fr-par-1",
            Zone::FrPar2 => "fr-par-2",
            Zone::FrPar3 => "fr-par-3",
            Zone::NlAms1 => "nl-ams-1",
            Zone::NlAms2 => "nl-ams-2",
            Zone::NlAms3 => "nl-ams-3",
            Zone::PlWaw1 => "pl-waw-1",
            Zone::PlWaw2 => "pl-waw-2",
            Zone::PlWaw3 => "pl-waw-3",
            Zone::ItMil1 => "it-mil-1",
            Zone::Other(s) => s,
        }
    }

    /// The region this zone belongs to (`fr-par-2` → `fr-par`).
    pub fn region(&self) -> Region {
        match self {
            Zone::FrPar1 | Zone::FrPar2 | Zone::FrPar3 => Region::FrPar,
            Zone::NlAms1 | Zone::NlAms2 | Zone::NlAms3 => Region::NlAms,
            Zone::PlWaw1 | Zone::PlWaw2 | Zone::PlWaw3 => Region::PlWaw,
            Zone::ItMil1 => Region::ItMil,
            Zone::Other(s) => {
                let region = s.rsplit_once('-').map_or(s.as_str(), |(r, _)| r);
                Region::from_server(region).unwrap_or_else(|| Region::Other(region.to_owned()))
            }
        }
    }

    /// Whether this is a zone this version knows (not [`Zone::Other`]).
    pub fn is_known(&self) -> bool {
        !matches!(self, Zone::Other(_))
    }

    /// Lenient parsing for server data: any well-formed zone is accepted, unknown ones
    /// become [`Zone::Other`]. Returns `None` for a value that is not shaped like a zone.
    pub fn from_server(s: &str) -> Option<Zone> {
        if let Ok(z) = s.parse() {
            return Some(z);
        }
        is_zone_shaped(s).then(|| Zone::Other(s.to_owned()))
    }

    fn known_list() -> String {
        join(Zone::ALL.iter().map(Zone::as_str))
    }
}

fn join<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.collect::<Vec<_>>().join(", ")
}

/// `^[a-z]{2}-[a-z]{3,7}$` (Go SDK `validation.IsRegion`).
fn is_region_shaped(s: &str) -> bool {
    let Some((cc, city)) = s.split_once('-') else {
        return false;
    };
    cc.len() == 2
        && cc.bytes().all(|b| b.is_ascii_lowercase())
        && (3..=7).contains(&city.len())
        && city.bytes().all(|b| b.is_ascii_lowercase())
}

/// `^[a-z]{2}-[a-z]{3,7}-[0-9]{1,2}$` (Go SDK `validation.IsZone`).
fn is_zone_shaped(s: &str) -> bool {
    let Some((region, n)) = s.rsplit_once('-') else {
        return false;
    };
    is_region_shaped(region) && (1..=2).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit())
}

impl FromStr for Region {
    type Err = LocalityError;

    /// Strict parsing for user input. The legacy alias `par1` / `ams1` is accepted, as in
    /// the official SDKs.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "fr-par" | "par1" => Ok(Region::FrPar),
            "nl-ams" | "ams1" => Ok(Region::NlAms),
            "pl-waw" => Ok(Region::PlWaw),
            "it-mil" => Ok(Region::ItMil),
            _ => Err(LocalityError::UnknownRegion {
                value: s.to_owned(),
                known: Region::known_list(),
            }),
        }
    }
}

impl FromStr for Zone {
    type Err = LocalityError;

    /// Strict parsing for user input. The legacy alias `par1` / `ams1` is accepted, as in
    /// the official SDKs.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "par1" => return Ok(Zone::FrPar1),
            "ams1" => return Ok(Zone::NlAms1),
            _ => {}
        }
        Zone::ALL
            .iter()
            .find(|z| z.as_str() == s)
            .cloned()
            .ok_or_else(|| LocalityError::UnknownZone {
                value: s.to_owned(),
                known: Zone::known_list(),
            })
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Region {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Serialize for Zone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Region {
    /// Lenient: unknown regions become [`Region::Other`], whatever their shape, so that
    /// server data never fails to parse because of a locality.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(s.parse().unwrap_or(Region::Other(s)))
    }
}

impl<'de> Deserialize<'de> for Zone {
    /// Lenient: unknown zones become [`Zone::Other`], whatever their shape, so that
    /// server data never fails to parse because of a locality.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(s.parse().unwrap_or(Zone::Other(s)))
    }
}

/// Where a request goes: a zone, a region, or nowhere in particular (global APIs).
///
/// Serializes as its name (`fr-par-1`, `fr-par`, `global`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Locality {
    /// A zoned API call.
    Zone(Zone),
    /// A regional API call.
    Region(Region),
    /// A global API call (IAM, Account).
    Global,
}

impl Locality {
    /// The region of this locality (a zone's region), if any.
    pub fn region(&self) -> Option<Region> {
        match self {
            Locality::Zone(z) => Some(z.region()),
            Locality::Region(r) => Some(r.clone()),
            Locality::Global => None,
        }
    }
}

impl Serialize for Locality {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Locality {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s == "global" {
            return Ok(Locality::Global);
        }
        if let Some(z) = Zone::from_server(&s) {
            return Ok(Locality::Zone(z));
        }
        Ok(Locality::Region(
            Region::from_server(&s).unwrap_or(Region::Other(s)),
        ))
    }
}

impl fmt::Display for Locality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Locality::Zone(z) => z.fmt(f),
            Locality::Region(r) => r.fmt(f),
            Locality::Global => f.write_str("global"),
        }
    }
}

impl From<Zone> for Locality {
    fn from(z: Zone) -> Self {
        Locality::Zone(z)
    }
}

impl From<Region> for Locality {
    fn from(r: Region) -> Self {
        Locality::Region(r)
    }
}

/// The localities a product exists in, as declared by the official SDKs' per-API lists.
///
/// A listing fanned out over a product only ever queries these; any other locality is
/// reported as "not available" without a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProductLocalities {
    /// A zoned product and the zones it exists in.
    Zones(&'static [Zone]),
    /// A regional product and the regions it exists in.
    Regions(&'static [Region]),
    /// A global product.
    Global,
}

impl ProductLocalities {
    /// Instance v1: every zone, `it-mil-1` included.
    pub const INSTANCE: Self = Self::Zones(&Zone::ALL);
    /// Block Storage v1alpha1 / v1: nine zones, no `it-mil-1`.
    pub const BLOCK: Self = Self::Zones(&[
        Zone::FrPar1,
        Zone::FrPar2,
        Zone::FrPar3,
        Zone::NlAms1,
        Zone::NlAms2,
        Zone::NlAms3,
        Zone::PlWaw1,
        Zone::PlWaw2,
        Zone::PlWaw3,
    ]);
    /// Kubernetes v1: fr-par, nl-ams, pl-waw, it-mil.
    pub const K8S: Self = Self::Regions(&Region::ALL);
    /// VPC v2: fr-par, nl-ams, pl-waw, it-mil.
    pub const VPC: Self = Self::Regions(&Region::ALL);
    /// Container Registry v1: fr-par, nl-ams, pl-waw.
    pub const REGISTRY: Self = Self::Regions(&[Region::FrPar, Region::NlAms, Region::PlWaw]);
    /// Secret Manager v1beta1: fr-par, nl-ams, pl-waw.
    pub const SECRET_MANAGER: Self = Self::Regions(&[Region::FrPar, Region::NlAms, Region::PlWaw]);
    /// Object Storage: every region (`s3.<region>.scw.cloud`).
    pub const OBJECT_STORAGE: Self = Self::Regions(&Region::ALL);
    /// IAM and Account: global.
    pub const GLOBAL: Self = Self::Global;

    /// Every locality of the product.
    pub fn all(&self) -> Vec<Locality> {
        match self {
            Self::Zones(z) => z.iter().cloned().map(Locality::Zone).collect(),
            Self::Regions(r) => r.iter().cloned().map(Locality::Region).collect(),
            Self::Global => vec![Locality::Global],
        }
    }

    /// Whether the product exists in `locality`.
    pub fn contains(&self, locality: &Locality) -> bool {
        match (self, locality) {
            (Self::Zones(z), Locality::Zone(l)) => z.contains(l),
            (Self::Regions(r), Locality::Region(l)) => r.contains(l),
            (Self::Global, Locality::Global) => true,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_to_region() {
        for z in Zone::ALL {
            assert!(z.region().zones().contains(&z), "{z}");
            assert!(z.as_str().starts_with(z.region().as_str()));
        }
        assert_eq!(
            Zone::Other("jp-tok-1".into()).region(),
            Region::Other("jp-tok".into())
        );
    }

    #[test]
    fn strict_user_input() {
        let err = "fr-par-4".parse::<Zone>().unwrap_err().to_string();
        assert!(err.contains("unknown zone `fr-par-4`"), "{err}");
        assert!(err.contains("it-mil-1"), "{err}");
        assert!("FR-PAR".parse::<Region>().is_err());
        assert_eq!("par1".parse::<Region>(), Ok(Region::FrPar));
        assert_eq!("ams1".parse::<Zone>(), Ok(Zone::NlAms1));
    }

    #[test]
    fn lenient_server_data() {
        let z: Zone = serde_json::from_str("\"jp-tok-2\"").unwrap();
        assert_eq!(z, Zone::Other("jp-tok-2".into()));
        assert_eq!(serde_json::to_string(&z).unwrap(), "\"jp-tok-2\"");
        let r: Region = serde_json::from_str("\"fr-par\"").unwrap();
        assert_eq!(r, Region::FrPar);
        assert_eq!(
            Region::from_server("jp-tok"),
            Some(Region::Other("jp-tok".into()))
        );
        assert_eq!(Region::from_server("nope"), None);
        assert_eq!(
            Zone::from_server("jp-tok-12"),
            Some(Zone::Other("jp-tok-12".into()))
        );
        assert_eq!(Zone::from_server("jp-tok-123"), None);
    }

    #[test]
    fn locality_serde() {
        for (text, loc) in [
            ("\"fr-par-1\"", Locality::Zone(Zone::FrPar1)),
            ("\"fr-par\"", Locality::Region(Region::FrPar)),
            ("\"global\"", Locality::Global),
            (
                "\"jp-tok\"",
                Locality::Region(Region::Other("jp-tok".into())),
            ),
        ] {
            assert_eq!(serde_json::from_str::<Locality>(text).unwrap(), loc);
            assert_eq!(serde_json::to_string(&loc).unwrap(), text);
        }
    }

    #[test]
    fn round_trip_all() {
        for z in Zone::ALL {
            assert_eq!(z.as_str().parse::<Zone>().unwrap(), z);
        }
        for r in Region::ALL {
            assert_eq!(r.to_string().parse::<Region>().unwrap(), r);
        }
    }

    #[test]
    fn product_localities() {
        assert_eq!(ProductLocalities::INSTANCE.all().len(), 10);
        assert_eq!(ProductLocalities::BLOCK.all().len(), 9);
        assert!(!ProductLocalities::BLOCK.contains(&Zone::ItMil1.into()));
        assert!(!ProductLocalities::REGISTRY.contains(&Region::ItMil.into()));
        assert!(ProductLocalities::K8S.contains(&Region::ItMil.into()));
        assert!(!ProductLocalities::K8S.contains(&Zone::FrPar1.into()));
    }
}
