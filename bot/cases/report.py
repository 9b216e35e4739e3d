"""The structured report of a contact, validated against the versioned taxonomy.

Fields follow tercer-balance §7.2 and plan-nacional §6.2 (victims with sex, age band,
minor flag, nationality, origin; several purposes; recruitment; route and place of
facts; ongoing exploitation; abroad). The record holds no name or phone number: the
conversation id links it to the person, and contact-back goes through the channel
they used. ``narrative`` is plain text in memory; the DB layer encrypts it and it is
kept out of ``repr`` so it cannot leak into logs through a stray print.

``to_ctdc`` maps a victim to the Counter Trafficking Data Collaborative's Global
Dataset columns; docs/cases.md lists what each field becomes and what is lost.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any, Iterable, Mapping

from bot.cases import places
from bot.cases.definitions import DEFINITION_VERSION, Definitions, load

MAX_NARRATIVE = 20_000
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class ReportError(ValueError):
    """The report breaks the taxonomy or its own consistency; lists every problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid report: " + "; ".join(problems))


@dataclass
class Location:
    """A place in Peru (by INEI ubigeo, 2/4/6 digits, as precise as known) or a country."""

    country: str = "PE"
    ubigeo: str | None = None

    @property
    def place(self) -> places.Place | None:
        return places.lookup(self.ubigeo) if self.ubigeo else None

    @property
    def departamento(self) -> str | None:
        return self.ubigeo[:2] if self.ubigeo else None

    def problems(self, where: str) -> list[str]:
        out = []
        if not isinstance(self.country, str) or not _COUNTRY.match(self.country):
            out.append(f"{where}.country: must be an ISO 3166-1 alpha-2 code like 'PE', got {self.country!r}")
        if self.ubigeo is not None:
            if not isinstance(self.ubigeo, str):
                out.append(f"{where}.ubigeo: must be text like '080901' (leading zeros matter), got {self.ubigeo!r}")
            elif self.country != "PE":
                out.append(f"{where}.ubigeo: only places in Peru have a ubigeo (country is {self.country!r})")
            elif places.lookup(str(self.ubigeo)) is None:
                out.append(f"{where}.ubigeo: {self.ubigeo!r} is not an INEI department, province or district code")
        return out

    def to_dict(self) -> dict[str, Any]:
        place = self.place
        return {
            "country": self.country,
            "ubigeo": self.ubigeo,
            "departamento": place.departamento if place else None,
            "provincia": place.provincia if place else None,
            "distrito": place.distrito if place else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str, problems: list[str]) -> "Location":
        _unknown_keys(data, {"country", "ubigeo", "departamento", "provincia", "distrito"}, where, problems)
        loc = cls(country=data.get("country", "PE"), ubigeo=data.get("ubigeo"))
        place = loc.place
        for key in ("departamento", "provincia", "distrito"):
            given = data.get(key)
            if given is not None and (place is None or getattr(place, key) != given):
                problems.append(f"{where}.{key}: {given!r} does not match ubigeo {loc.ubigeo!r}")
        return loc


@dataclass
class Victim:
    sex: str = "sin_dato"
    age_band: str = "sin_dato"
    age_years: int | None = None
    is_minor: bool | None = None          # None = not known
    nationality: str | None = None        # ISO 3166-1 alpha-2
    origin: Location | None = None        # lugar de procedencia
    travelling_now: bool | None = None
    unaccompanied: bool | None = None
    without_documents: bool | None = None

    def normalise(self, defs: Definitions, where: str, problems: list[str]) -> None:
        """Fill what follows from what is known (age -> band -> minor) and flag conflicts."""
        bands = defs["age_bands"]
        if self.age_years is not None:
            if not isinstance(self.age_years, int) or isinstance(self.age_years, bool) or not 0 <= self.age_years <= 120:
                problems.append(f"{where}.age_years: must be a whole number from 0 to 120, got {self.age_years!r}")
                return
            fitting = [v.code for v in bands if "min" in v.extra and v.extra["min"] <= self.age_years <= v.extra["max"]]
            if self.age_band == "sin_dato" and fitting:
                self.age_band = fitting[0]
            elif self.age_band not in fitting and self.age_band in bands:
                problems.append(f"{where}.age_band: {self.age_band!r} does not contain age {self.age_years}")
        if self.age_band in bands:
            band_minor = bands.get(self.age_band).extra.get("minor")
            if band_minor is not None:
                if self.is_minor is None:
                    self.is_minor = band_minor
                elif self.is_minor != band_minor:
                    problems.append(f"{where}.is_minor: {self.is_minor} contradicts age band {self.age_band!r}")

    def problems(self, defs: Definitions, where: str) -> list[str]:
        out: list[str] = []
        _check_code(defs, "sex", self.sex, f"{where}.sex", out)
        _check_code(defs, "age_bands", self.age_band, f"{where}.age_band", out)
        for name in ("is_minor", "travelling_now", "unaccompanied", "without_documents"):
            _check_bool(getattr(self, name), f"{where}.{name}", out)
        if self.nationality is not None and (not isinstance(self.nationality, str) or not _COUNTRY.match(self.nationality)):
            out.append(f"{where}.nationality: must be an ISO 3166-1 alpha-2 code like 'PE', got {self.nationality!r}")
        if self.origin is not None:
            out.extend(self.origin.problems(f"{where}.origin"))
        return out

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["origin"] = self.origin.to_dict() if self.origin else None
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str, problems: list[str]) -> "Victim":
        if not isinstance(data, Mapping):
            problems.append(f"{where}: must be a mapping")
            return cls()
        known = {f.name for f in fields(cls)}
        _unknown_keys(data, known, where, problems)
        values = {k: v for k, v in data.items() if k in known}
        if isinstance(values.get("origin"), Mapping):
            values["origin"] = Location.from_dict(values["origin"], f"{where}.origin", problems)
        return cls(**values)


_BOOL_FLAGS = (
    "ongoing_exploitation",   # explotación en curso
    "person_held",            # retenida, privada de libertad
    "danger_now",             # riesgo para la vida o la integridad
    "abroad",                 # la víctima está fuera del Perú
    "travel_imminent",        # viaje por una oferta sospechosa inminente
    "sexual_violence",
    "institutional_omission",  # una autoridad no actuó o encubre
    "needs_health_care",
)


@dataclass
class Report:
    channel: str
    language: str = "es"
    category_hint: str | None = None      # what the conversation was about (the bot's flow)
    offer_type: str | None = None         # subtype of orientacion_oferta
    victims: list[Victim] = field(default_factory=list)
    victim_count: int | None = None       # people affected, when more than are described
    purposes: list[str] = field(default_factory=list)
    recruitment: str | None = None
    recruiter_relationship: str | None = None
    control_means: list[str] = field(default_factory=list)
    origin: Location | None = None        # lugar de captación / origen
    transit: list[Location] = field(default_factory=list)
    destination: Location | None = None   # destino o lugar de los hechos
    ongoing_exploitation: bool | None = None
    person_held: bool | None = None
    danger_now: bool | None = None
    abroad: bool | None = None
    travel_imminent: bool | None = None
    sexual_violence: bool | None = None
    institutional_omission: bool | None = None
    needs_health_care: bool | None = None
    reporter_role: str = "sin_dato"
    anonymous: bool = True
    contact_back: bool = False
    contact_channel: str | None = None
    narrative: str = field(default="", repr=False)
    definition_version: str = DEFINITION_VERSION

    def __post_init__(self) -> None:
        self.validate()

    # --- derived facts used by triage and statistics ---
    @property
    def has_minor(self) -> bool:
        return any(v.is_minor for v in self.victims)

    @property
    def is_abroad(self) -> bool:
        return bool(self.abroad) or bool(self.destination and self.destination.country != "PE")

    def purpose_groups(self) -> set[str]:
        defs = load(self.definition_version)
        return {defs["purposes"].get(p).extra["group"] for p in self.purposes}

    def validate(self) -> None:
        problems: list[str] = []
        try:
            defs = load(self.definition_version)
        except Exception as exc:  # noqa: BLE001 - reported as a report problem
            raise ReportError([f"definition_version: {exc}"]) from None
        for i, victim in enumerate(self.victims):
            if not isinstance(victim, Victim):
                problems.append(f"victims[{i}]: must be a Victim")
                continue
            victim.normalise(defs, f"victims[{i}]", problems)
            problems.extend(victim.problems(defs, f"victims[{i}]"))
        _check_code(defs, "channels", self.channel, "channel", problems)
        _check_code(defs, "languages", self.language, "language", problems)
        _check_code(defs, "reporter_roles", self.reporter_role, "reporter_role", problems)
        if self.category_hint is not None:
            _check_code(defs, "categories", self.category_hint, "category_hint", problems)
        if self.offer_type is not None:
            if self.category_hint != "orientacion_oferta":
                problems.append("offer_type: only for category 'orientacion_oferta'")
            elif self.offer_type not in defs.subtypes("orientacion_oferta"):
                problems.append(f"offer_type: {self.offer_type!r} is not one of {', '.join(defs.subtypes('orientacion_oferta'))}")
        for name, vocab in (("purposes", "purposes"), ("control_means", "control_means")):
            values = getattr(self, name)
            if not isinstance(values, list):
                problems.append(f"{name}: must be a list")
                continue
            for i, code in enumerate(values):
                _check_code(defs, vocab, code, f"{name}[{i}]", problems)
            if len(set(values)) != len(values):
                problems.append(f"{name}: repeated values")
        if "desconocida" in self.purposes and len(self.purposes) > 1:
            problems.append("purposes: 'desconocida' cannot be combined with known purposes")
        if self.recruitment is not None:
            _check_code(defs, "recruitment", self.recruitment, "recruitment", problems)
        if self.recruiter_relationship is not None:
            _check_code(defs, "recruiter_relationship", self.recruiter_relationship, "recruiter_relationship", problems)
        if self.victim_count is not None and (
            not isinstance(self.victim_count, int) or isinstance(self.victim_count, bool)
            or self.victim_count < len(self.victims)
        ):
            problems.append(f"victim_count: must be a whole number >= the {len(self.victims)} victims described")
        for name, loc in (("origin", self.origin), ("destination", self.destination)):
            if loc is not None:
                problems.extend(loc.problems(name))
        for i, loc in enumerate(self.transit):
            problems.extend(loc.problems(f"transit[{i}]"))
        for name in _BOOL_FLAGS:
            _check_bool(getattr(self, name), name, problems)
        for name in ("anonymous", "contact_back"):
            if not isinstance(getattr(self, name), bool):
                problems.append(f"{name}: must be true or false")
        if self.contact_back:
            if self.contact_channel is None:
                problems.append("contact_channel: needed when contact_back is true")
            else:
                _check_code(defs, "channels", self.contact_channel, "contact_channel", problems)
        elif self.contact_channel is not None:
            problems.append("contact_channel: must be empty when the person did not consent to contact_back")
        if not isinstance(self.narrative, str):
            problems.append("narrative: must be text")
        elif len(self.narrative) > MAX_NARRATIVE:
            problems.append(f"narrative: longer than {MAX_NARRATIVE} characters")
        if problems:
            raise ReportError(problems)

    def to_dict(self) -> dict[str, Any]:
        self.validate()
        data: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "victims":
                value = [v.to_dict() for v in value]
            elif f.name == "transit":
                value = [loc.to_dict() for loc in value]
            elif isinstance(value, Location):
                value = value.to_dict()
            elif isinstance(value, list):
                value = list(value)
            data[f.name] = value
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Report":
        if not isinstance(data, Mapping):
            raise ReportError(["report: must be a mapping"])
        problems: list[str] = []
        known = {f.name for f in fields(cls)}
        _unknown_keys(data, known, "report", problems)
        values = {k: v for k, v in data.items() if k in known}
        if "channel" not in values:
            problems.append("channel: missing")
        victims = values.get("victims") or []
        if not isinstance(victims, list):
            problems.append("victims: must be a list")
            victims = []
        values["victims"] = [Victim.from_dict(v, f"victims[{i}]", problems) for i, v in enumerate(victims)]
        transit = values.get("transit") or []
        values["transit"] = [Location.from_dict(t, f"transit[{i}]", problems) for i, t in enumerate(transit) if isinstance(t, Mapping)]
        if len(values["transit"]) != len(transit):
            problems.append("transit: every stop must be a mapping")
        for name in ("origin", "destination"):
            if isinstance(values.get(name), Mapping):
                values[name] = Location.from_dict(values[name], name, problems)
            elif values.get(name) is not None:
                problems.append(f"{name}: must be a mapping")
                values[name] = None
        try:
            report = cls(**values)
        except ReportError as exc:
            raise ReportError(problems + exc.problems) from None
        except TypeError as exc:
            raise ReportError(problems + [str(exc)]) from None
        if problems:
            raise ReportError(problems)
        return report


def _check_code(defs: Definitions, vocab: str, value: Any, where: str, out: list[str]) -> None:
    if value not in defs[vocab]:
        out.append(f"{where}: {value!r} is not one of {', '.join(defs[vocab].codes)}")


def _check_bool(value: Any, where: str, out: list[str]) -> None:
    if value is not None and not isinstance(value, bool):
        out.append(f"{where}: must be true, false or null, got {value!r}")


def _unknown_keys(data: Mapping[str, Any], known: Iterable[str], where: str, out: list[str]) -> None:
    extra = sorted(set(data) - set(known))
    if extra:
        out.append(f"{where}: unknown field(s) {', '.join(map(str, extra))}")


# --- CTDC (Counter Trafficking Data Collaborative) export -------------------------

CTDC_AGE_BANDS = ((0, 8, "0--8"), (9, 17, "9--17"), (18, 20, "18--20"), (21, 23, "21--23"),
                  (24, 26, "24--26"), (27, 29, "27--29"), (30, 38, "30--38"), (39, 47, "39--47"),
                  (48, 200, "48+"))
# Our bands that fit inside one CTDC band; the others (7_12, 18_24, 25_mas) straddle two.
_CTDC_FROM_BAND = {"0_6": "0--8", "13_17": "9--17"}
_CTDC_GENDER = {"mujer": "Female", "hombre": "Male"}
_CTDC_MEANS = {
    "deuda": "DebtBondage", "retencion_salario": "TakesEarnings", "amenazas": "Threats",
    "violencia_fisica": "PhysicalAbuse", "violencia_sexual": "SexualAbuse",
    "encierro": "RestrictsMovement", "drogas": "PsychoactiveSubstances",
    "horas_excesivas": "ExcessiveWorkingHours", "engano": "FalsePromises",
    "retencion_documentos": "WithholdsDocuments", "aislamiento": "Other", "otro": "Other",
}
CTDC_MEANS_FIELDS = ("DebtBondage", "TakesEarnings", "RestrictsFinancialAccess", "Threats",
                     "PsychologicalAbuse", "PhysicalAbuse", "SexualAbuse", "FalsePromises",
                     "PsychoactiveSubstances", "RestrictsMovement", "RestrictsMedicalCare",
                     "ExcessiveWorkingHours", "UsesChildren", "ThreatOfLawEnforcement",
                     "WithholdsNecessities", "WithholdsDocuments", "Other")
_CTDC_RECRUITER = {"pareja": "IntimatePartner", "amistad": "Friend", "familiar": "Family",
                   "padrino_madrina": "Family", "desconocido": "Other", "empleador": "Other",
                   "otro": "Other"}
_CTDC_RECRUITER_TEXT = {"IntimatePartner": "Intimate Partner", "Friend": "Friend", "Family": "Family",
                        "Other": "Other", "Unknown": "Unknown"}
_CTDC_LABOUR = {"explotacion_domestica": "DomesticWork", "mendicidad": "Begging"}
CTDC_LABOUR_FIELDS = ("Agriculture", "Aquafarming", "Begging", "Construction", "DomesticWork",
                      "Hospitality", "IllicitActivities", "Manufacturing", "MiningOrDrilling",
                      "Peddling", "Transportation", "Other", "NotSpecified")


def _ctdc_age(victim: Victim) -> str | None:
    if victim.age_years is not None:
        for lo, hi, label in CTDC_AGE_BANDS:
            if lo <= victim.age_years <= hi:
                return label
    return _CTDC_FROM_BAND.get(victim.age_band)


def to_ctdc(report: Report, victim_index: int = 0, year: int | None = None) -> dict[str, Any]:
    """One CTDC Global Dataset record for one victim of ``report`` (None = not recorded).

    CTDC rows are per victim; use ``to_ctdc_records`` for all of them. A report with no
    victim described still yields one record with the case-level fields.
    """
    victim = report.victims[victim_index] if report.victims else Victim()
    purposes = [p for p in report.purposes if p != "desconocida"]
    groups = report.purpose_groups() - {"unknown"}
    known = bool(purposes)

    def flag(condition: bool) -> int | None:
        return (1 if condition else 0) if known else None

    # CTDC counts forced begging as labour (typeOfLabourBegging); "Other" is what no
    # other CTDC column names: sale of children and other purposes.
    labour = "labour" in groups or "mendicidad" in purposes
    sexual = "sexual" in groups
    other = bool(set(purposes) & {"venta_de_ninos", "otra"})
    minor = victim.is_minor
    record: dict[str, Any] = {
        "yearOfRegistration": year,
        "Datasource": "Hotline",
        "gender": _CTDC_GENDER.get(victim.sex),
        "ageBroad": _ctdc_age(victim),
        "majorityStatus": None if minor is None else ("Minor" if minor else "Adult"),
        # A minor now was a minor when exploitation began; an adult may not have been.
        "majorityStatusAtExploit": "Minor" if minor else None,
        "majorityEntry": "Minor" if minor else None,
        "citizenship": victim.nationality,
        "CountryOfExploitation": report.destination.country if report.destination else None,
        "isForcedLabour": flag(labour),
        "isSexualExploit": flag(sexual),
        "isOtherExploit": flag(other),
        "isSexAndLabour": flag(sexual and labour),
        "isForcedMarriage": flag("matrimonio_forzado" in purposes),
        "isForcedMilitary": flag(False),
        "isOrganRemoval": flag("extraccion_organos" in purposes),
        "isSlaveryAndPractices": flag("servidumbre" in purposes),
        "isAbduction": None,
    }
    labels = [label for condition, label in (
        (labour, "Forced labour"),
        (sexual, "Sexual exploitation"),
        ("matrimonio_forzado" in purposes, "Forced marriage"),
        ("extraccion_organos" in purposes, "Organ removal"),
        ("servidumbre" in purposes, "Slavery and similar practices"),
        (other, "Other"),
    ) if condition]
    record["typeOfExploitConcatenated"] = ";".join(labels) if labels else None

    labour_types = sorted({_CTDC_LABOUR[p] for p in purposes if p in _CTDC_LABOUR})
    for name in CTDC_LABOUR_FIELDS:
        record[f"typeOfLabour{name}"] = (1 if name in labour_types else 0) if labour_types else None
    record["typeOfLabourConcatenated"] = ";".join(labour_types) or None
    for name in ("Prostitution", "Pornography", "RemoteInteractiveServices", "PrivateSexualServices"):
        record[f"typeOfSex{name}"] = None       # the sector of sexual exploitation is not recorded
    record["typeOfSexConcatenated"] = None

    means = {_CTDC_MEANS[m] for m in report.control_means}
    if report.person_held:
        means.add("RestrictsMovement")
    if report.sexual_violence:
        means.add("SexualAbuse")
    for name in CTDC_MEANS_FIELDS:
        record[f"meansOfControl{name}"] = (1 if name in means else 0) if means else None
    record["meansOfControlNotSpecified"] = 0 if means else 1
    record["meansOfControlConcatenated"] = ";".join(n for n in CTDC_MEANS_FIELDS if n in means) or None

    relation = _CTDC_RECRUITER.get(report.recruiter_relationship or "", "Unknown")
    for name in ("IntimatePartner", "Friend", "Family", "Other", "Unknown"):
        record[f"recruiterRelation{name}"] = 1 if name == relation else 0
    record["RecruiterRelationship"] = _CTDC_RECRUITER_TEXT[relation]
    return record


def to_ctdc_records(report: Report, year: int | None = None) -> list[dict[str, Any]]:
    """One CTDC record per described victim (at least one)."""
    return [to_ctdc(report, i, year) for i in range(max(1, len(report.victims)))]
