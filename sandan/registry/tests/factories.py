"""Factories with realistic Korean data. Reference rows (zones, provinces) are looked up
or created so that tests can run with or without `load_reference`."""

from __future__ import annotations

import random

import factory

from sandan.registry.models import (
    Complex,
    ComplexStat,
    Expert,
    Industry,
    Municipality,
    Office,
    Organisation,
    Province,
    Zone,
)
from sandan.registry.validators import business_check_digit

ZONES = {
    "capital": ("수도권", "Capital Region", 1),
    "chungcheong": ("충청권", "Chungcheong Region", 2),
    "honam": ("호남권", "Honam Region", 3),
    "daegyeong": ("대경권", "Daegu-Gyeongbuk Region", 4),
    "dongnam": ("동남권", "Dongnam Region", 5),
    "gangwon": ("강원권", "Gangwon Region", 6),
    "jeju": ("제주권", "Jeju Region", 7),
}
PROVINCES = {
    "11": ("서울특별시", "Seoul", "서울", "capital"),
    "41": ("경기도", "Gyeonggi", "경기", "capital"),
    "43": ("충청북도", "Chungbuk", "충북", "chungcheong"),
    "46": ("전라남도", "Jeonnam", "전남", "honam"),
    "47": ("경상북도", "Gyeongbuk", "경북", "daegyeong"),
    "48": ("경상남도", "Gyeongnam", "경남", "dongnam"),
    "31": ("울산광역시", "Ulsan", "울산", "dongnam"),
    "51": ("강원특별자치도", "Gangwon", "강원", "gangwon"),
    "50": ("제주특별자치도", "Jeju", "제주", "jeju"),
}


def zone(code: str = "capital") -> Zone:
    name_ko, name_en, order = ZONES[code]
    obj, _ = Zone.objects.get_or_create(
        code=code,
        defaults={
            "name_ko": name_ko,
            "name_en": name_en,
            "kind": "metropolitan_zone",
            "order": order,
        },
    )
    return obj


def province(code: str = "41") -> Province:
    name_ko, name_en, short_ko, zone_code = PROVINCES[code]
    obj, _ = Province.objects.get_or_create(
        code=code,
        defaults={
            "name_ko": name_ko,
            "name_en": name_en,
            "short_ko": short_ko,
            "zone": zone(zone_code),
        },
    )
    return obj


def valid_business_number(seed: int) -> str:
    """A 사업자등록번호 with a correct check digit, derived from `seed`."""
    rng = random.Random(seed)
    office = rng.randint(101, 899)
    kind = rng.choice([81, 86, 87, 88, 10, 23])
    head = f"{office:03d}{kind:02d}{rng.randint(1, 9999):04d}"
    return head + str(business_check_digit(head))


class IndustryFactory(factory.django.DjangoModelFactory[Industry]):
    class Meta:
        model = Industry
        django_get_or_create = ("code",)

    code = "C29"
    level = Industry.Level.DIVISION
    name_ko = "기타 기계 및 장비 제조업"
    name_en = "Manufacture of other machinery and equipment"


class MunicipalityFactory(factory.django.DjangoModelFactory[Municipality]):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{41000 + n:05d}")
    name_ko = factory.Sequence(lambda n: f"시험{n}시")
    name_en = factory.Sequence(lambda n: f"Test-si {n}")
    province = factory.LazyFunction(lambda: province("41"))


class OfficeFactory(factory.django.DjangoModelFactory[Office]):
    class Meta:
        model = Office
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"branch-{n}")
    kind = Office.Kind.BRANCH
    name_ko = factory.Sequence(lambda n: f"시험지사{n}")
    name_en = factory.Sequence(lambda n: f"Test Branch {n}")
    parent = factory.LazyFunction(
        lambda: Office.objects.get_or_create(
            code="hq", defaults={"kind": "hq", "name_ko": "본사", "name_en": "Headquarters"}
        )[0]
    )
    zone = factory.LazyFunction(lambda: zone("capital"))


class ComplexFactory(factory.django.DjangoModelFactory[Complex]):
    class Meta:
        model = Complex

    # Six characters whatever the length of the test session (the counter never resets).
    kicox_id = factory.Sequence(lambda n: f"241{n % 1000:03d}")
    name_ko = factory.Sequence(lambda n: f"반월시화{n}")
    name_en = factory.Sequence(lambda n: f"Banwol-Sihwa {n}")
    kind = Complex.Kind.GENERAL
    province = factory.LazyFunction(lambda: province("41"))
    municipality_name = "안산시"
    status = Complex.Status.COMPLETED
    designated_area_1000m2 = 1000
    managed_area_1000m2 = 1000
    tenants = 120
    operating_firms = 100


class ComplexStatFactory(factory.django.DjangoModelFactory[ComplexStat]):
    class Meta:
        model = ComplexStat

    complex = factory.SubFactory(ComplexFactory)
    year = 2009
    quarter = factory.Sequence(lambda n: n % 4 + 1)
    tenants = 120
    operating_firms = 100
    employment_persons = 2400
    output_100m_krw = 1500
    exports_1m_usd = 80


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.COMPANY
    name_ko = factory.Sequence(lambda n: f"(주)한빛정밀{n}")
    name_en = factory.Sequence(lambda n: f"Hanbit Precision {n}")
    business_number = factory.Sequence(lambda n: valid_business_number(n))
    employees = 35
    complex = factory.SubFactory(ComplexFactory)
    contact_name = "김민준"
    contact_email = factory.Sequence(lambda n: f"contact{n}@hanbit.example.kr")
    contact_phone = "031-490-1234"


class ExpertFactory(factory.django.DjangoModelFactory[Expert]):
    class Meta:
        model = Expert

    name_ko = factory.Sequence(lambda n: f"이서연{n}")
    title = "수석연구원"
    affiliation = factory.SubFactory(
        OrganisationFactory,
        kind=Organisation.Kind.INSTITUTE,
        business_number=None,
        name_ko=factory.Sequence(lambda n: f"한국생산기술연구원{n}"),
    )
    specialties = "금형 설계, 사출 성형 불량 분석, 공정 자동화"
    service_categories = ["MFG_EFFICIENCY"]
    email = factory.Sequence(lambda n: f"expert{n}@kitech.example.kr")
    phone = "041-589-8000"
