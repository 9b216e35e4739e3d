"""Report: validation against the taxonomy, dict round-trip, privacy, CTDC export."""
from __future__ import annotations

import json

import pytest

from bot.cases.report import Location, Report, ReportError, Victim, to_ctdc, to_ctdc_records

# The column names of the CTDC Global Dataset (k-anonymised download, 2017 codebook v6
# through the 2020 release). Used to check that the export invents no column.
CTDC_COLUMNS = {
    "yearOfRegistration", "Datasource", "gender", "ageBroad", "majorityStatus", "majorityStatusAtExploit",
    "majorityEntry", "citizenship", "meansOfControlDebtBondage", "meansOfControlTakesEarnings",
    "meansOfControlRestrictsFinancialAccess", "meansOfControlThreats", "meansOfControlPsychologicalAbuse",
    "meansOfControlPhysicalAbuse", "meansOfControlSexualAbuse", "meansOfControlFalsePromises",
    "meansOfControlPsychoactiveSubstances", "meansOfControlRestrictsMovement", "meansOfControlRestrictsMedicalCare",
    "meansOfControlExcessiveWorkingHours", "meansOfControlUsesChildren", "meansOfControlThreatOfLawEnforcement",
    "meansOfControlWithholdsNecessities", "meansOfControlWithholdsDocuments", "meansOfControlOther",
    "meansOfControlNotSpecified", "meansOfControlConcatenated", "isForcedLabour", "isSexualExploit",
    "isOtherExploit", "isSexAndLabour", "isForcedMarriage", "isForcedMilitary", "isOrganRemoval",
    "isSlaveryAndPractices", "typeOfExploitConcatenated", "typeOfLabourAgriculture", "typeOfLabourAquafarming",
    "typeOfLabourBegging", "typeOfLabourConstruction", "typeOfLabourDomesticWork", "typeOfLabourHospitality",
    "typeOfLabourIllicitActivities", "typeOfLabourManufacturing", "typeOfLabourMiningOrDrilling",
    "typeOfLabourPeddling", "typeOfLabourTransportation", "typeOfLabourOther", "typeOfLabourNotSpecified",
    "typeOfLabourConcatenated", "typeOfSexProstitution", "typeOfSexPornography",
    "typeOfSexRemoteInteractiveServices", "typeOfSexPrivateSexualServices", "typeOfSexConcatenated",
    "isAbduction", "RecruiterRelationship", "CountryOfExploitation", "recruiterRelationIntimatePartner",
    "recruiterRelationFriend", "recruiterRelationFamily", "recruiterRelationOther", "recruiterRelationUnknown",
}


def full_report(**changes) -> Report:
    values = dict(
        channel="whatsapp",
        language="qu",
        category_hint="denuncia",
        victims=[
            Victim(sex="mujer", age_years=15, nationality="PE", origin=Location(ubigeo="080901"),
                   travelling_now=True, unaccompanied=True),
            Victim(sex="hombre", age_band="25_mas", nationality="BO"),
        ],
        victim_count=3,
        purposes=["explotacion_sexual", "explotacion_laboral"],
        recruitment="agencia_empleo",
        recruiter_relationship="amistad",
        control_means=["deuda", "retencion_documentos"],
        origin=Location(ubigeo="0809"),
        transit=[Location(ubigeo="081201"), Location(ubigeo="170102")],
        destination=Location(ubigeo="170101"),
        ongoing_exploitation=True,
        danger_now=False,
        reporter_role="familiar_o_cuidador",
        anonymous=False,
        contact_back=True,
        contact_channel="whatsapp",
        narrative="Mi hermana se fue con una agencia a Puerto Maldonado y no vuelve.",
    )
    values.update(changes)
    return Report(**values)


def test_round_trip_through_a_plain_dict_and_json():
    report = full_report()
    data = json.loads(json.dumps(report.to_dict()))
    assert Report.from_dict(data) == report


def test_dict_carries_the_definition_version_and_place_names():
    data = full_report().to_dict()
    assert data["definition_version"] == "v1"
    assert data["destination"]["provincia"] == "Tambopata"
    assert data["victims"][0]["origin"]["distrito"] == "Santa Ana"


def test_narrative_never_appears_in_repr():
    report = full_report(narrative="texto privado de la víctima")
    assert "texto privado" not in repr(report)
    assert "texto privado" not in str(report)


def test_age_gives_band_and_minor_flag():
    victim = full_report().victims[0]
    assert victim.age_band == "13_17"
    assert victim.is_minor is True


def test_minor_band_without_age_sets_the_flag():
    report = Report(channel="sms", victims=[Victim(age_band="menor_sin_edad")])
    assert report.has_minor


def test_minor_flag_alone_is_kept_when_band_is_unknown():
    report = Report(channel="sms", victims=[Victim(is_minor=True)])
    assert report.victims[0].age_band == "sin_dato"
    assert report.has_minor


def test_minor_flag_contradicting_the_band_is_an_error():
    with pytest.raises(ReportError, match=r"victims\[0\]\.is_minor: False contradicts age band '13_17'"):
        Report(channel="sms", victims=[Victim(age_band="13_17", is_minor=False)])


def test_age_outside_the_band_is_an_error():
    with pytest.raises(ReportError, match=r"age_band: '18_24' does not contain age 15"):
        Report(channel="sms", victims=[Victim(age_band="18_24", age_years=15)])


def test_impossible_age_is_an_error():
    with pytest.raises(ReportError, match="age_years"):
        Report(channel="sms", victims=[Victim(age_years=-2)])


def test_unknown_purpose_error_lists_the_allowed_values():
    with pytest.raises(ReportError, match=r"purposes\[0\]: 'prostitucion' is not one of explotacion_sexual"):
        Report(channel="sms", purposes=["prostitucion"])


def test_unknown_purpose_cannot_be_mixed_with_known_ones():
    with pytest.raises(ReportError, match="desconocida"):
        Report(channel="sms", purposes=["desconocida", "mendicidad"])


def test_repeated_purpose_is_an_error():
    with pytest.raises(ReportError, match="repeated"):
        Report(channel="sms", purposes=["mendicidad", "mendicidad"])


def test_offer_type_only_for_offer_orientation():
    with pytest.raises(ReportError, match="offer_type: only for"):
        Report(channel="sms", category_hint="consulta", offer_type="laboral")
    with pytest.raises(ReportError, match="offer_type: 'deportiva'"):
        Report(channel="sms", category_hint="orientacion_oferta", offer_type="deportiva")
    assert Report(channel="sms", category_hint="orientacion_oferta", offer_type="matrimonio").offer_type == "matrimonio"


def test_contact_back_needs_a_channel_and_consent():
    with pytest.raises(ReportError, match="contact_channel: needed"):
        Report(channel="sms", contact_back=True)
    with pytest.raises(ReportError, match="did not consent"):
        Report(channel="sms", contact_back=False, contact_channel="sms")


def test_unknown_ubigeo_is_an_error():
    with pytest.raises(ReportError, match=r"destination\.ubigeo: '999999'"):
        Report(channel="sms", destination=Location(ubigeo="999999"))


def test_ubigeo_must_be_text_to_keep_leading_zeros():
    with pytest.raises(ReportError, match="leading zeros"):
        Report.from_dict({"channel": "sms", "destination": {"ubigeo": 80901}})


def test_ubigeo_only_for_places_in_peru():
    with pytest.raises(ReportError, match="only places in Peru"):
        Report(channel="sms", destination=Location(country="BO", ubigeo="170101"))


def test_country_must_be_an_iso_code():
    with pytest.raises(ReportError, match="ISO 3166-1"):
        Report(channel="sms", destination=Location(country="Bolivia"))
    with pytest.raises(ReportError, match="nationality"):
        Report(channel="sms", victims=[Victim(nationality="peruana")])


def test_place_names_that_contradict_the_ubigeo_are_an_error():
    data = full_report().to_dict()
    data["destination"]["departamento"] = "Cusco"
    with pytest.raises(ReportError, match=r"destination\.departamento: 'Cusco' does not match"):
        Report.from_dict(data)


def test_victim_count_cannot_be_less_than_the_victims_described():
    with pytest.raises(ReportError, match="victim_count"):
        full_report(victim_count=1)


def test_flags_must_be_booleans_or_null():
    with pytest.raises(ReportError, match="danger_now: must be true, false or null"):
        Report.from_dict({"channel": "sms", "danger_now": "si"})


def test_from_dict_reports_every_problem_at_once():
    with pytest.raises(ReportError) as info:
        Report.from_dict({"channel": "fax", "purposes": ["x"], "victims": [{"sex": "f"}], "telefono": "999"})
    text = str(info.value)
    for part in ("unknown field(s) telefono", "channel: 'fax'", "purposes[0]: 'x'", "victims[0].sex: 'f'"):
        assert part in text
    assert len(info.value.problems) == 4


def test_from_dict_needs_a_channel():
    with pytest.raises(ReportError, match="channel: missing"):
        Report.from_dict({})


def test_unknown_definition_version_is_an_error():
    with pytest.raises(ReportError, match="definition_version"):
        Report(channel="sms", definition_version="v42")


def test_abroad_follows_from_the_destination_country():
    assert Report(channel="sms", destination=Location(country="CL")).is_abroad
    assert not Report(channel="sms", destination=Location(ubigeo="15")).is_abroad
    assert Report(channel="sms", abroad=True).is_abroad


# --- CTDC ---

def test_ctdc_record_uses_only_ctdc_columns():
    record = to_ctdc(full_report(), year=2026)
    assert set(record) <= CTDC_COLUMNS
    assert len(record) == len(CTDC_COLUMNS)


def test_ctdc_victim_fields():
    record = to_ctdc(full_report(), 0, year=2026)
    assert record["yearOfRegistration"] == 2026
    assert record["gender"] == "Female"
    assert record["ageBroad"] == "9--17"
    assert record["majorityStatus"] == "Minor"
    assert record["majorityStatusAtExploit"] == "Minor"
    assert record["citizenship"] == "PE"
    assert record["CountryOfExploitation"] == "PE"


def test_ctdc_adult_age_from_years_and_band():
    assert to_ctdc(Report(channel="sms", victims=[Victim(age_years=22)]))["ageBroad"] == "21--23"
    assert to_ctdc(Report(channel="sms", victims=[Victim(age_years=48)]))["ageBroad"] == "48+"
    adult = to_ctdc(Report(channel="sms", victims=[Victim(age_band="25_mas")]))
    # 25+ straddles CTDC bands 24--26 and 27--29: lost, not guessed.
    assert adult["ageBroad"] is None
    assert adult["majorityStatus"] == "Adult"
    assert adult["majorityStatusAtExploit"] is None


def test_ctdc_band_that_straddles_two_ctdc_bands_is_not_guessed():
    assert to_ctdc(Report(channel="sms", victims=[Victim(age_band="7_12")]))["ageBroad"] is None
    assert to_ctdc(Report(channel="sms", victims=[Victim(age_band="0_6")]))["ageBroad"] == "0--8"


def test_ctdc_gender_outside_female_male_is_not_recorded():
    assert to_ctdc(Report(channel="sms", victims=[Victim(sex="otro")]))["gender"] is None


def test_ctdc_exploitation_flags():
    record = to_ctdc(full_report())
    assert (record["isForcedLabour"], record["isSexualExploit"], record["isSexAndLabour"]) == (1, 1, 1)
    assert record["isOtherExploit"] == 0
    assert record["typeOfExploitConcatenated"] == "Forced labour;Sexual exploitation"


def test_ctdc_forced_begging_counts_as_labour_and_marriage_has_its_own_flag():
    record = to_ctdc(Report(channel="sms", purposes=["mendicidad", "matrimonio_forzado"]))
    assert record["isForcedLabour"] == 1
    assert record["typeOfLabourBegging"] == 1
    assert record["isForcedMarriage"] == 1
    assert record["isOtherExploit"] == 0
    assert record["typeOfExploitConcatenated"] == "Forced labour;Forced marriage"


def test_ctdc_sale_of_children_is_other_exploitation():
    record = to_ctdc(Report(channel="sms", purposes=["venta_de_ninos"]))
    assert record["isOtherExploit"] == 1
    assert record["isForcedLabour"] == 0
    assert record["typeOfExploitConcatenated"] == "Other"


def test_ctdc_unknown_purpose_leaves_flags_empty():
    record = to_ctdc(Report(channel="sms", purposes=["desconocida"]))
    assert record["isForcedLabour"] is None and record["isSexualExploit"] is None
    assert record["typeOfExploitConcatenated"] is None


def test_ctdc_means_of_control():
    record = to_ctdc(full_report(person_held=True))
    assert record["meansOfControlDebtBondage"] == 1
    assert record["meansOfControlWithholdsDocuments"] == 1
    assert record["meansOfControlRestrictsMovement"] == 1
    assert record["meansOfControlThreats"] == 0
    assert record["meansOfControlNotSpecified"] == 0
    none = to_ctdc(Report(channel="sms"))
    assert none["meansOfControlNotSpecified"] == 1 and none["meansOfControlDebtBondage"] is None


def test_ctdc_recruiter_relationship():
    assert to_ctdc(full_report())["recruiterRelationFriend"] == 1
    assert to_ctdc(full_report())["RecruiterRelationship"] == "Friend"
    assert to_ctdc(full_report(recruiter_relationship="padrino_madrina"))["recruiterRelationFamily"] == 1
    assert to_ctdc(Report(channel="sms"))["recruiterRelationUnknown"] == 1


def test_ctdc_country_of_exploitation_abroad():
    record = to_ctdc(Report(channel="sms", destination=Location(country="AR")))
    assert record["CountryOfExploitation"] == "AR"


def test_ctdc_one_record_per_victim():
    records = to_ctdc_records(full_report())
    assert [r["gender"] for r in records] == ["Female", "Male"]
    assert records[1]["citizenship"] == "BO"
    assert len(to_ctdc_records(Report(channel="sms"))) == 1
