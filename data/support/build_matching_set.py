"""Build the labelled expert-matching set: 1,000 experts, cases and graded relevance.

Deterministic (fixed seed); run from the repository root:

    .venv/bin/python data/support/build_matching_set.py

Writes ``matching_experts.csv``, ``matching_cases.csv`` and ``matching_relevance.csv`` next to
this file. Every expert and every case is generated from latent *needs* (a specific kind of help,
e.g. "plating adhesion defects") and KSIC divisions. The relevance comes from those latent
variables only, never from a matcher:

* grade 2: the expert's specialties cover the case's need AND the expert lists the firm's
  industry (ksic2);
* grade 1: the expert covers the need, other industries;
* grade 0 (written for documentation; absent pairs are 0 too): decoys, i.e. experts of the same
  service category whose specialties share surface words with the case but cover another need.

The expert wording and the case wording are written separately (technical vs. a firm's own
words, with typos, informal endings and English terms), so a matcher must bridge vocabulary.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from pathlib import Path

SEED = 20100301
N_EXPERTS = 1000
CASES_PER_NEED = (3, 4)  # inclusive range; about 200 cases in total
HERE = Path(__file__).resolve().parent

# KSIC divisions (section letter + 2 digits), Korean product words a firm would name.
INDUSTRIES: dict[str, tuple[str, list[str]]] = {
    "C10": ("식품", ["떡", "소스류", "김치", "제과", "건강기능식품", "냉동만두", "HMR 도시락"]),
    "C13": ("섬유", ["부직포", "원단", "산업용 섬유", "니트 원단", "염색 원단"]),
    "C20": ("화학", ["접착제", "도료", "세정제", "화장품 원료", "코팅제"]),
    "C22": ("고무·플라스틱", ["플라스틱 케이스", "고무 패킹", "PP 용기", "자동차 내장 사출품"]),
    "C23": ("비금속광물", ["세라믹 부품", "유리 가공품", "콘크리트 블록", "내화물"]),
    "C24": ("1차금속", ["주물", "알루미늄 다이캐스팅", "강관", "동 압연재"]),
    "C25": ("금속가공", ["볼트·너트", "판금 부품", "프레스 가공품", "금속 브래킷", "밸브 몸체"]),
    "C26": ("전자부품", ["PCB 어셈블리", "LED 모듈", "센서 모듈", "커넥터", "전원보드"]),
    "C27": ("의료·정밀기기", ["의료기기 부품", "계측기", "광학 렌즈", "치과용 기구"]),
    "C28": ("전기장비", ["배전반", "모터", "변압기", "배터리 팩", "조명기구"]),
    "C29": ("기계장비", ["공작기계", "유압 실린더", "펌프", "포장기계", "감속기"]),
    "C30": ("자동차부품", ["브레이크 부품", "시트 프레임", "차체 프레스 부품", "전장 하네스"]),
    "C31": ("조선·기타운송", ["선박 블록", "선박 배관", "철도차량 부품"]),
    "C32": ("가구", ["사무용 가구", "싱크대", "원목 가구"]),
    "J62": ("소프트웨어", ["생산관리 소프트웨어", "임베디드 소프트웨어"]),
}
METAL = ["C24", "C25", "C29", "C30", "C31", "C28"]
PLASTIC = ["C22", "C30", "C26", "C28", "C32"]
ALL_MFG = [k for k in INDUSTRIES if k.startswith("C")]


@dataclass
class Need:
    key: str
    category: str
    expert: list[str]  # how an expert describes the specialty
    case: list[str]  # how a firm describes the problem
    industries: list[str] = field(default_factory=lambda: list(ALL_MFG))
    weight: float = 1.0  # relative number of experts covering it


PC, ME, TM, MK, ED = (
    "PROD_COMMERCIALIZATION",
    "MFG_EFFICIENCY",
    "TECH_MGMT_SUPPORT",
    "TOTAL_MARKETING",
    "FIELD_EDUCATION",
)

NEEDS: list[Need] = [
    # ---- production-technology commercialisation
    Need(
        "proto_3d",
        PC,
        [
            "3D 프린팅 기반 시제품 제작",
            "쾌속조형(RP) 시작품 및 목업 제작",
            "SLA·FDM 3D프린터 활용 시제품 개발",
        ],
        [
            "신제품 샘플을 금형 만들기 전에 몇 개만 먼저 뽑아보고 싶습니다",
            "프로토타입을 빨리 만들어서 거래처에 보여줘야 하는데 3D 프린터로 가능할까요",
            "목업 제작 지원이 필요해요. 디자인 확인용으로 실물이 있어야 합니다",
            "시작품 제작 비용이 너무 비싸서 3D프린팅으로 대체하고 싶어요",
        ],
    ),
    Need(
        "patent_filing",
        PC,
        [
            "특허 출원 및 명세서 작성",
            "선행기술조사와 특허 출원 전략 수립",
            "국내외 특허 출원(PCT) 및 지식재산 권리화",
        ],
        [
            "저희가 개발한 지그 구조로 특허를 내고 싶은데 절차를 모르겠습니다",
            "우리 기술이 특허가 될지 선행조사부터 받아보고 싶어요",
            "PCT로 해외 특허 출원하는 방법 문의드립니다",
            "신제품 아이디어를 특허로 보호받고 싶음. 출원 비용도 궁금",
        ],
        weight=1.2,
    ),
    Need(
        "patent_dispute",
        PC,
        ["특허 침해 분쟁 대응 및 무효심판", "경쟁사 특허 회피설계와 침해 여부 감정"],
        [
            "경쟁업체가 저희 제품이 자기 특허를 침해했다고 경고장을 보냈습니다",
            "특허 소송이 걸릴까 봐 회피 설계 검토를 받고 싶어요",
            "상대방 특허를 무효로 할 수 있는지 알고 싶습니다",
        ],
        weight=0.6,
    ),
    Need(
        "tech_transfer",
        PC,
        ["대학·출연연 보유기술 이전 중개", "기술이전 계약 및 기술가치평가"],
        [
            "대학에 있는 기술을 이전받아서 제품화하고 싶습니다",
            "기술 가치평가를 받아서 기술이전 계약을 하려고 해요",
            "연구소가 가진 특허 기술을 라이선스 받고 싶은데 어디에 물어봐야 하나요",
        ],
    ),
    Need(
        "product_design",
        PC,
        ["제품 외관 디자인 및 산업디자인", "사용자 중심 제품 디자인(UX)과 CMF 설계"],
        [
            "제품 디자인이 너무 투박해서 바이어 반응이 별로예요. 외관을 새로 하고 싶습니다",
            "케이스 디자인을 세련되게 바꾸고 싶어요",
            "신제품 외형 디자인을 맡길 곳을 찾습니다",
        ],
        industries=[*PLASTIC, "C27", "C29"],
    ),
    Need(
        "composite_rnd",
        PC,
        ["탄소섬유 복합소재 경량화 공동연구", "CFRP·GFRP 복합재 성형 기술 개발"],
        [
            "부품을 철에서 복합소재로 바꿔 경량화하는 공동 연구개발을 하고 싶다",
            "탄소섬유로 가볍게 만들 수 있을까요? 무게를 30% 줄여야 합니다",
            "경량화 소재 적용 R&D 과제를 같이 할 연구자를 찾습니다",
        ],
        industries=["C30", "C31", "C13", "C22", "C29"],
    ),
    Need(
        "iot_product",
        PC,
        ["임베디드 펌웨어 및 IoT 제품 개발", "센서 모듈과 무선통신(BLE·LoRa) 회로 설계"],
        [
            "기존 제품에 IoT 기능을 넣어서 스마트폰으로 제어하고 싶습니다",
            "블루투스 모듈을 붙여서 원격 모니터링되는 신제품을 개발하려고 해요",
            "제품에 센서 달아서 데이터를 앱으로 보내는 기능 개발",
        ],
        industries=["C26", "C28", "C29", "C27", "J62"],
    ),
    Need(
        "cae_analysis",
        PC,
        ["유한요소 구조해석(FEA)과 설계 최적화", "CAE 해석 기반 제품 강도·피로 설계"],
        [
            "신제품 브래킷 강도가 충분한지 해석을 받아보고 싶습니다",
            "CAE 시뮬레이션으로 설계 검증이 필요함",
            "제품이 자꾸 깨지는데 설계를 바꾸기 전에 구조 해석부터 해보고 싶어요",
        ],
        industries=[*METAL, "C22", "C27"],
    ),
    Need(
        "food_rnd",
        PC,
        ["가정간편식(HMR) 신제품 개발 및 배합비 설계", "식품 레시피 표준화와 유통기한 설정 연구"],
        [
            "간편식 신제품을 개발하려는데 배합이랑 유통기한 설정을 도와주세요",
            "새 소스 제품 레시피를 표준화하고 싶습니다",
            "떡 제품 유통기한을 늘리는 신제품 개발이 필요합니다",
        ],
        industries=["C10"],
    ),
    Need(
        "mold_design",
        PC,
        ["플라스틱 사출 금형 설계 및 제작", "금형 유동해석(몰드플로우)과 게이트 설계"],
        [
            "신제품 사출 금형을 새로 만들어야 하는데 설계 단계부터 자문받고 싶어요",
            "금형 설계할 때 게이트 위치를 어디로 할지 모르겠습니다",
            "몰드플로우 해석을 해서 금형을 제대로 만들고 싶어요",
        ],
        industries=PLASTIC,
    ),
    # ---- manufacturing-technology efficiency
    Need(
        "plating_defect",
        ME,
        [
            "전기 도금 밀착 불량 및 도금층 박리 개선",
            "아연·니켈 도금 공정 관리와 표면처리 품질 향상",
            "무전해 니켈 도금 두께 편차 개선",
        ],
        [
            "도금이 자꾸 벗겨져서 반품이 들어옵니다",
            "표면처리 후에 물집처럼 부풀어 오르는 불량이 생겨요",
            "아연도금 두께 편차가 너무 심합니다",
            "니켈 도금 밀착력이 약해서 클레임이 걸렸어요",
        ],
        industries=[*METAL, "C26"],
        weight=1.3,
    ),
    Need(
        "plating_wastewater",
        ME,
        ["도금 폐수 처리 설비 및 중금속 저감", "표면처리 공정 폐수 재이용 시스템"],
        [
            "도금 라인 폐수 처리 비용이 너무 많이 나와요",
            "폐수에서 중금속이 기준을 초과했다고 지적받았습니다",
            "표면처리 공장 폐수를 재활용할 방법이 있을까요",
        ],
        industries=[*METAL, "C26"],
        weight=0.6,
    ),
    Need(
        "painting_defect",
        ME,
        ["분체 도장 및 액체 도장 불량(핀홀·흐름) 개선", "도장 라인 건조로 조건 최적화"],
        [
            "도장면에 핀홀이랑 흐름 자국이 생깁니다",
            "페인트가 고르게 안 먹고 색차가 나요",
            "분체도장 후 표면이 오렌지 껍질처럼 울퉁불퉁해요",
        ],
        industries=[*METAL, "C32"],
    ),
    Need(
        "injection_defect",
        ME,
        ["사출 성형 불량(웰드라인·싱크마크·미성형) 개선", "사출 성형 조건 최적화와 수축 변형 대책"],
        [
            "사출품에 웰드라인이 생기고 수축 때문에 휨이 있습니다",
            "플라스틱 제품 표면에 싱크마크가 계속 나와요",
            "성형 불량률이 10%가 넘습니다. 미성형이랑 버가 많아요",
        ],
        industries=PLASTIC,
        weight=1.3,
    ),
    Need(
        "mold_repair",
        ME,
        ["금형 보수·수리 및 금형 수명 연장 표면경화", "프레스 금형 마모 대책과 금형 정비"],
        [
            "프레스 금형이 금방 닳아서 자주 수리를 맡겨야 합니다",
            "금형 수명을 늘리는 방법이 있을까요",
            "금형이 깨져서 생산이 멈췄어요. 보수 기술이 필요합니다",
        ],
        industries=METAL + PLASTIC,
    ),
    Need(
        "welding_automation",
        ME,
        ["용접 로봇 자동화 라인 구축", "협동로봇 기반 용접 공정 자동화"],
        [
            "용접을 사람이 다 하는데 로봇으로 자동화하고 싶어요",
            "용접공 구하기가 힘들어서 용접 로봇 도입을 검토 중입니다",
            "협동로봇으로 용접 공정을 바꾸면 효과가 있을지",
        ],
        industries=METAL,
    ),
    Need(
        "welding_defect",
        ME,
        ["용접 결함(기공·균열) 원인 분석 및 용접 품질 개선", "알루미늄 용접 변형 방지 기술"],
        [
            "용접부에 기공이 생기고 크랙이 가서 불량이 납니다",
            "알루미늄 용접하면 휘어버려요",
            "용접 비드가 불균일하고 균열 불량이 많습니다",
        ],
        industries=METAL,
    ),
    Need(
        "energy_saving",
        ME,
        ["공장 에너지 진단 및 압축공기 누설 저감", "공기압축기·보일러 에너지 절감 컨설팅"],
        [
            "전기요금이 너무 많이 나와서 절감 방안을 찾고 있어요. 컴프레샤가 24시간 돌아갑니다",
            "공장 에너지 진단을 받아보고 싶어요",
            "보일러 연료비가 부담됩니다. 에너지 효율을 높이고 싶어요",
        ],
        weight=1.1,
    ),
    Need(
        "mes",
        ME,
        ["MES 구축 및 생산 실적 실시간 수집", "스마트공장 기초 수준 구축과 설비 데이터 연동"],
        [
            "작업일보를 아직 종이로 쓰는데 MES를 도입하고 싶습니다",
            "스마트공장 구축해서 생산 현황을 실시간으로 보고 싶어요",
            "설비 가동률을 자동으로 모으는 시스템이 필요해요",
        ],
        weight=1.2,
    ),
    Need(
        "plc_automation",
        ME,
        ["PLC 제어 및 공정 자동화 설계", "컨베이어·포장 라인 자동화와 PLC 프로그램 개선"],
        [
            "포장 공정을 사람이 손으로 하는데 자동화 라인을 만들고 싶어요",
            "PLC 프로그램이 오래돼서 설비가 자주 멈춥니다",
            "컨베이어로 공정을 연결해서 인력을 줄이고 싶습니다",
        ],
    ),
    Need(
        "machine_vision",
        ME,
        ["머신비전 외관 검사 자동화", "딥러닝 영상 검사 시스템 구축"],
        [
            "육안 검사로 불량을 걸러내는데 놓치는 게 많아요. 카메라 검사 장비를 달고 싶습니다",
            "외관 불량을 자동으로 검사하는 비전 시스템 문의",
            "AI로 불량 사진을 판별할 수 있을까요",
        ],
    ),
    Need(
        "spc",
        ME,
        ["통계적 공정관리(SPC) 및 공정능력 개선", "6시그마 기반 불량률 저감"],
        [
            "치수 불량이 들쭉날쭉해서 공정 관리가 안 돼요. Cpk 관리 방법을 알고 싶습니다",
            "불량률을 줄이려는데 데이터를 어떻게 분석해야 할지 모르겠어요",
            "공정능력지수가 낮다고 고객사에서 개선을 요구합니다",
        ],
    ),
    Need(
        "cnc_machining",
        ME,
        ["CNC 가공 조건 최적화 및 공구 수명 향상", "정밀 절삭가공 치수 불량 개선"],
        [
            "CNC로 깎는데 공차가 안 맞고 공구가 너무 빨리 닳아요",
            "절삭 가공 시간을 단축하고 싶습니다",
            "머시닝센터 가공면 조도가 안 나옵니다",
        ],
        industries=[*METAL, "C27"],
    ),
    Need(
        "heat_treatment",
        ME,
        ["열처리(침탄·고주파) 변형 및 경도 불량 개선", "열처리로 온도 관리와 열처리 품질 안정화"],
        [
            "열처리 후에 변형이 생기고 경도가 안 나옵니다",
            "침탄 깊이가 들쭉날쭉해요",
            "고주파 열처리 크랙 때문에 고민입니다",
        ],
        industries=METAL,
    ),
    Need(
        "maintenance",
        ME,
        ["설비 예방보전(PM) 체계와 고장 분석", "진동 분석 기반 설비 예지보전"],
        [
            "설비가 갑자기 자주 서서 생산 차질이 큽니다",
            "기계 고장을 미리 알 수 있는 방법이 없을까요? 진동 센서 같은 거",
            "설비 보전 계획이 없어서 고장 나면 그때 고치는 식입니다",
        ],
    ),
    Need(
        "lean_layout",
        ME,
        ["공장 레이아웃 개선 및 라인 밸런싱", "린(Lean) 생산방식과 작업 표준화"],
        [
            "공장 안에서 물건이 왔다갔다 동선이 꼬여서 생산성이 떨어집니다",
            "라인 밸런싱이 안 맞아서 병목이 생겨요",
            "작업자마다 하는 방법이 달라서 표준작업을 만들고 싶어요",
        ],
    ),
    Need(
        "food_hygiene",
        ME,
        ["식품 공장 이물 혼입 방지와 위생 공정 개선", "식품 제조라인 살균 공정 최적화"],
        [
            "제품에서 머리카락 같은 이물이 나왔다는 클레임이 들어왔어요",
            "살균 공정 온도를 어떻게 잡아야 할지 모르겠습니다",
            "제조 라인 위생 관리를 개선하고 싶어요",
        ],
        industries=["C10"],
    ),
    Need(
        "dust_collection",
        ME,
        ["집진 설비 설계 및 작업장 분진 저감", "국소배기장치 설계와 작업환경 개선"],
        [
            "연마 작업할 때 먼지가 너무 날려요. 집진기 용량이 부족한 것 같습니다",
            "작업환경측정에서 분진이 기준을 넘었어요",
            "국소배기 후드를 어떻게 달아야 할지",
        ],
        industries=[*METAL, "C23", "C32"],
    ),
    # ---- technology and management support
    Need(
        "iso9001",
        TM,
        ["ISO 9001 품질경영시스템 인증 컨설팅", "품질 매뉴얼·절차서 작성과 내부심사 지도"],
        [
            "거래처에서 ISO 9001 인증을 요구합니다. 어떻게 준비하나요",
            "품질경영시스템 인증 서류 작성이 막막해요",
            "ISO9001 사후심사 준비를 도와주세요",
        ],
        weight=1.3,
    ),
    Need(
        "iso14001",
        TM,
        ["ISO 14001 환경경영시스템 구축", "환경경영 인증과 환경측면 평가"],
        [
            "대기업 협력사 평가에 ISO 14001이 필요하다고 하네요",
            "환경경영 인증을 받으려면 무엇부터 해야 할까요",
        ],
        weight=0.6,
    ),
    Need(
        "safety_mgmt",
        TM,
        ["중대재해처벌법 대응 안전보건관리체계 구축", "ISO 45001 안전보건경영시스템 인증"],
        [
            "중대재해법 때문에 안전보건관리체계를 만들어야 하는데 뭘 해야 하나요",
            "ISO 45001 인증을 준비하고 있습니다",
            "사고가 나면 대표가 처벌받는다는데 대응 체계가 전혀 없어요",
        ],
    ),
    Need(
        "erp",
        TM,
        ["중소기업 ERP 도입 및 재고·구매 관리 정보화", "ERP 시스템 선정과 업무 프로세스 재설계"],
        [
            "엑셀로 재고를 관리하다 보니 숫자가 안 맞아요. ERP 도입 상담 원합니다",
            "회계 프로그램이랑 생산관리를 하나로 묶고 싶어요",
            "구매·재고 관리 전산화가 필요합니다",
        ],
        weight=1.2,
    ),
    Need(
        "policy_fund",
        TM,
        ["정책자금 및 운전자금 조달 컨설팅", "기술보증·신용보증 활용과 재무구조 개선"],
        [
            "운전자금이 부족해서 정책자금 대출을 받을 수 있는지 알고 싶어요",
            "기보 보증 받는 방법 좀 알려주세요",
            "시설자금 융자를 신청하려는데 서류가 복잡합니다",
        ],
        weight=1.2,
    ),
    Need(
        "labor_hr",
        TM,
        ["인사·노무 관리 및 근로계약·취업규칙 정비", "임금체계 개편과 노무 분쟁 대응"],
        [
            "외국인 근로자 근로계약이랑 취업규칙을 정비해야 해요",
            "주52시간 때문에 근무 체계를 어떻게 바꿔야 할지",
            "퇴직한 직원이 노동청에 진정을 넣었습니다",
        ],
    ),
    Need(
        "subcontract_law",
        TM,
        ["하도급 계약 검토 및 기업 법률 자문", "납품대금 분쟁과 하도급법 대응"],
        [
            "원청이 납품단가를 일방적으로 깎았는데 하도급법 위반인지 궁금합니다",
            "거래 계약서 검토를 받고 싶어요",
            "납품대금을 몇 달째 못 받고 있습니다",
        ],
    ),
    Need(
        "venture_cert",
        TM,
        ["벤처기업·이노비즈·메인비즈 인증 취득 지원", "기업부설연구소 설립 및 인정 신청"],
        [
            "벤처 인증을 받으면 세제 혜택이 있다던데 신청하고 싶습니다",
            "기업부설연구소를 만들려면 뭐가 필요한가요",
            "이노비즈 인증 조건이 궁금해요",
        ],
    ),
    Need(
        "cost_strategy",
        TM,
        ["원가 분석 및 경영 진단", "중소 제조기업 경영전략과 사업계획 수립"],
        [
            "매출은 느는데 이익이 안 남아요. 원가 분석이 필요합니다",
            "사업계획서 작성을 도와주세요",
            "회사 경영 상태를 진단받고 싶어요",
        ],
    ),
    Need(
        "haccp",
        TM,
        ["HACCP 인증 컨설팅 및 위생관리 기준서 작성", "식품안전관리인증 취득 지도"],
        [
            "HACCP 인증을 받아야 대형마트 납품이 된다는데요",
            "해썹 인증 준비를 처음부터 도와주세요",
            "식품안전관리인증 서류를 어떻게 만드는지 모르겠어요",
        ],
        industries=["C10"],
    ),
    Need(
        "trade_secret",
        TM,
        ["기술유출 방지 및 영업비밀 보호 체계", "산업보안 컨설팅과 기술자료 임치"],
        [
            "퇴사한 직원이 도면을 가지고 나간 것 같아요. 기술 유출 대응이 필요합니다",
            "우리 기술을 협력사에 줄 때 보호받는 방법이 있나요",
            "기술자료 임치 제도를 알고 싶습니다",
        ],
        weight=0.7,
    ),
    # ---- total marketing
    Need(
        "export_buyer",
        MK,
        ["해외 바이어 발굴 및 수출 상담 주선", "동남아·중동 수출 판로 개척"],
        [
            "해외에 수출하고 싶은데 바이어를 어떻게 찾는지 모르겠어요",
            "베트남 쪽 거래처를 뚫고 싶습니다",
            "수출 경험이 없는데 해외 판로를 개척하고 싶어요",
        ],
        weight=1.4,
    ),
    Need(
        "export_cert",
        MK,
        ["CE·UL 등 해외 규격 인증 취득 지원", "FDA 등록 및 수출 인증 컨설팅"],
        [
            "유럽에 팔려면 CE 인증이 필요하다는데 어떻게 하나요",
            "미국 FDA 등록 절차를 알려주세요",
            "UL 인증 시험을 어디서 받아야 하나요",
        ],
    ),
    Need(
        "exhibition",
        MK,
        ["국내외 전시회 참가 지원 및 부스 운영", "해외 전시회 바이어 상담 준비"],
        [
            "하노버 메세 전시회에 나가려는데 부스 준비를 도와주세요",
            "전시회에 처음 참가하는데 뭘 준비해야 하나요",
            "킨텍스 전시회 참가비 지원이 되는지",
        ],
    ),
    Need(
        "online_marketing",
        MK,
        ["온라인 쇼핑몰 입점 및 SNS 마케팅", "검색광고·콘텐츠 마케팅 전략"],
        [
            "스마트스토어에 올렸는데 하나도 안 팔려요",
            "인스타그램으로 홍보를 하고 싶습니다",
            "온라인 판매를 시작하려는데 광고를 어떻게 해야 할지",
        ],
        industries=["C10", "C32", "C13", "C20", "C22"],
    ),
    Need(
        "branding",
        MK,
        ["브랜드 네이밍 및 CI·BI 개발", "영문 카탈로그와 홍보 영상 제작"],
        [
            "회사 로고랑 브랜드를 새로 만들고 싶어요",
            "영문 카탈로그가 없어서 바이어한테 보낼 자료가 없습니다",
            "제품 홍보 동영상을 만들고 싶어요",
        ],
    ),
    Need(
        "public_procurement",
        MK,
        ["조달청 나라장터 등록 및 우수조달제품 지정", "공공기관 판로 개척과 조달 입찰"],
        [
            "관공서에 납품하려면 조달 등록을 어떻게 하나요",
            "우수조달 지정을 받고 싶습니다",
            "나라장터 입찰에 참여하는 방법을 모르겠어요",
        ],
    ),
    Need(
        "market_research",
        MK,
        ["해외 시장조사 및 수출 타당성 분석", "국내 시장 규모 조사와 경쟁사 분석"],
        [
            "새 제품 시장이 얼마나 되는지 조사가 필요해요",
            "경쟁사 제품 가격이랑 점유율을 알고 싶습니다",
            "중국 시장에 들어갈 만한지 조사해 주실 분",
        ],
        weight=0.8,
    ),
    Need(
        "supplier_registration",
        MK,
        ["국내 대기업 협력사 등록 및 신규 거래처 발굴", "완성품 업체 벤더 등록과 구매 상담회 연계"],
        [
            "완성차 1차 벤더에 납품하고 싶은데 협력사 등록 절차가 궁금해요",
            "대기업 구매 상담회에 참가하고 싶습니다",
            "국내 신규 거래처를 늘리고 싶어요",
        ],
    ),
    Need(
        "trade_practice",
        MK,
        ["FTA 원산지 증명 및 수출입 통관 실무", "무역 서류와 신용장(L/C) 실무"],
        [
            "FTA 원산지 증명서 발급을 어떻게 하나요",
            "수출 통관 서류가 너무 복잡해요",
            "신용장 거래를 처음 하는데 주의할 점이 있을까요",
        ],
    ),
    # ---- field-customised education
    Need(
        "cnc_training",
        ED,
        ["CNC 선반·머시닝센터 조작 교육", "CNC 프로그래밍(G코드) 실무 강의"],
        [
            "신입 직원들한테 CNC 조작을 가르칠 교육이 필요해요",
            "G코드 프로그래밍 과정을 찾습니다",
            "머시닝센터 다룰 줄 아는 사람이 없어서 직원 교육을 시키려고요",
        ],
        industries=[*METAL, "C27"],
    ),
    Need(
        "cad_training",
        ED,
        ["AutoCAD·SolidWorks 3D 설계 교육", "도면 해독 및 CAD 실무 강좌"],
        [
            "설계 담당이 솔리드웍스를 배워야 합니다",
            "도면 보는 법부터 교육받고 싶어요",
            "오토캐드 실무 교육 과정 있나요",
        ],
    ),
    Need(
        "safety_training",
        ED,
        ["산업안전 법정교육 및 위험성평가 교육", "지게차·크레인 안전 교육"],
        [
            "직원 안전교육을 외부 강사로 진행하고 싶어요",
            "지게차 사고가 나서 안전 교육이 필요합니다",
            "위험성평가 하는 방법을 교육받고 싶어요",
        ],
        weight=1.2,
    ),
    Need(
        "welding_training",
        ED,
        ["용접 기능사 실기 교육 및 용접 기능 향상 훈련", "특수용접(TIG·CO2) 기능 교육"],
        [
            "외국인 근로자 용접 실력을 키울 교육이 있나요",
            "용접 자격증 과정을 직원들이 듣게 하고 싶어요",
            "TIG 용접 교육을 받을 수 있는 곳",
        ],
        industries=METAL,
    ),
    Need(
        "quality_training",
        ED,
        ["품질관리 기초 및 QC 7가지 도구 교육", "품질 분임조 활동 교육"],
        [
            "현장 반장들한테 품질관리 교육을 시키고 싶어요",
            "QC 기법을 직원들이 배웠으면 합니다",
            "품질 분임조를 처음 만들어 보려는데 교육이 필요해요",
        ],
    ),
    Need(
        "foreign_worker_training",
        ED,
        ["외국인 근로자 한국어·직무 적응 교육", "다국어 작업표준 교육 자료 제작"],
        [
            "외국인 직원이 말이 안 통해서 작업지시가 어렵습니다",
            "외국인 근로자들 한국어 교육을 해주고 싶어요",
            "베트남 직원용 작업 교육 자료가 필요해요",
        ],
    ),
    Need(
        "plc_training",
        ED,
        ["PLC 프로그래밍 실무 교육", "설비 보전 기술자 양성 교육"],
        [
            "설비 보전 담당자가 PLC를 배워야 합니다",
            "기계 고장 나면 고칠 사람이 없어요. 보전 인력 교육이 필요합니다",
            "PLC 기초 과정 교육 문의",
        ],
    ),
    Need(
        "leadership_training",
        ED,
        ["중간관리자 리더십 및 소통 교육", "현장 관리자 코칭과 조직문화 교육"],
        [
            "팀장급 리더십 교육 프로그램을 찾습니다",
            "반장들이 직원들이랑 소통을 잘 못해서 교육이 필요해요",
            "관리자 교육을 하고 싶어요",
        ],
    ),
    Need(
        "data_training",
        ED,
        ["제조 데이터 분석(파이썬) 실무 교육", "엑셀 데이터 분석과 스마트공장 운영 인력 교육"],
        [
            "엑셀 말고 데이터 분석을 직원들이 직접 할 수 있게 교육하고 싶어요",
            "스마트공장 들어오면 운영할 사람 교육이 필요합니다",
            "파이썬 기초 교육 과정 있을까요",
        ],
    ),
]

# Specialty text around the need phrases: career lines, titles, generic claims.
CAREER = [
    "현장 경력 {n}년",
    "관련 분야 {n}년 근무",
    "기술지도 경력 {n}년",
    "중소기업 자문 {n}건 이상",
    "{n}년간 컨설팅 수행",
]
TITLES = {
    "company": ["前 {co} 생산기술팀장", "前 {co} 품질부장", "{co} 기술고문", "前 {co} 연구소장"],
    "university": ["{uni} {dept} 교수", "{uni} 산학협력단 교수", "{uni} {dept} 겸임교수"],
    "institute": ["{ins} 책임연구원", "{ins} 수석연구원", "{ins} 기업지원실"],
    "agency": ["{ag} 전문위원", "{ag} 수석컨설턴트", "{ag} 지원사업 PM"],
}
COMPANIES = ["대한정밀", "한빛산업", "삼우기계", "동양전자", "세진화학", "우성금속", "태광테크"]
UNIS = ["창원대학교", "울산대학교", "금오공대", "한양대학교 ERICA", "전북대학교", "충북대학교"]
DEPTS = ["기계공학과", "신소재공학과", "산업공학과", "경영학과", "식품공학과", "전자공학과"]
INSTS = ["생산기술연구원", "재료연구원", "전자부품연구원", "기계연구원", "식품연구원"]
AGENCIES = ["중소기업진흥공단", "테크노파크", "무역협회", "경영기술지원단", "산업단지공단 지원센터"]
GENERIC = [
    "중소기업 애로 해결 멘토링",
    "정부지원사업 연계 자문",
    "기술사업화 전반 자문",
    "현장 밀착형 기술지도",
    "기업 맞춤형 컨설팅",
    "산학협력 과제 기획",
]
INDUSTRY_CONTEXT = [
    "{ind} 업체 현장 지도 경험 다수",
    "주요 고객: {ind} 중소기업",
    "{ind} 분야 다수 수행",
    "{ind} 산업 중심",
]
SEPARATORS = [", ", " / ", ". ", "; ", " · "]

SURNAMES = (
    "김이박최정강조윤장임한오서신권황안송류전홍고문양손배백허남심노하곽성차주우구민유"
    "진지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모남궁탁국어"
    "은편용"
)
GIVEN = "민서준현지우하윤도영수진성호재경은정희태상혁동훈석규원연미아나리소혜철용기환승빈유한"

# Case framing and noise.
OPENERS = [
    "",
    "",
    "저희는 {prod} 만드는 직원 {emp}명 회사입니다. ",
    "{prod} 생산업체입니다. ",
    "안녕하세요, {prod} 제조하는 중소기업입니다. ",
    "({prod}) ",
    "{ind} 업종 소기업인데요, ",
]
CLOSERS = [
    "",
    "",
    " 도와주세요.",
    " 전문가 연결 부탁드립니다.",
    " 급합니다!!",
    " 빠른 지원 부탁드려요~",
    " 어떻게 해야 할지 막막합니다ㅠㅠ",
    " 상담 가능할까요?",
]
DISTRACTORS = {
    # a sentence that names another area; the need stays the same
    PC: ["나중에 수출도 생각하고 있습니다.", "직원 교육도 언젠가 필요하겠지만 우선은 이것부터요."],
    ME: ["거래처가 ISO 인증 얘기도 하긴 했는데 급한 건 이겁니다.", "수출 물량 때문에 더 급해요."],
    TM: ["공장 자동화도 관심은 있지만 지금은 이게 먼저입니다.", "불량 문제는 해결됐고요."],
    MK: ["제품 품질은 자신 있습니다.", "특허도 하나 가지고 있어요."],
    ED: ["설비는 새로 들였어요.", "인증은 이미 받았습니다."],
}
TYPOS = [
    ("습니다", "슴니다"),
    ("했어요", "햇어요"),
    ("됐", "됬"),
    ("불량률", "불량율"),
    ("않", "안"),
    ("어떻게", "어떡게"),
    ("요", "여"),
    ("싶습니다", "싶읍니다"),
    ("있을까요", "있을가요"),
]
ENGLISH = [
    ("불량", "NG"),
    ("도입", "도입(도입 검토)"),
    ("교육", "교육(training)"),
    ("인증", "인증(certi)"),
    ("해외", "해외(overseas)"),
    ("자동화", "automation"),
    ("설비", "설비(equipment)"),
]


def korean_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def title_line(rng: random.Random, aff: str) -> str:
    t = rng.choice(TITLES[aff])
    return t.format(
        co=rng.choice(COMPANIES),
        uni=rng.choice(UNIS),
        dept=rng.choice(DEPTS),
        ins=rng.choice(INSTS),
        ag=rng.choice(AGENCIES),
    )


def pick_needs(rng: random.Random, n: int) -> list[Need]:
    """n distinct needs, weighted; a second need often in the same category (realistic)."""
    weights = [need.weight for need in NEEDS]
    first = rng.choices(NEEDS, weights)[0]
    chosen = [first]
    while len(chosen) < n:
        if rng.random() < 0.6:
            pool = [x for x in NEEDS if x.category == first.category and x not in chosen]
        else:
            pool = [x for x in NEEDS if x not in chosen]
        if not pool:
            break
        chosen.append(rng.choices(pool, [x.weight for x in pool])[0])
    return chosen


def build_experts(rng: random.Random) -> list[dict[str, object]]:
    experts: list[dict[str, object]] = []
    for i in range(1, N_EXPERTS + 1):
        aff = rng.choices(["company", "university", "institute", "agency"], [35, 25, 20, 20])[0]
        generalist = rng.random() < 0.06
        needs = [] if generalist else pick_needs(rng, rng.choices([1, 2, 3], [40, 42, 18])[0])
        cats = sorted({n.category for n in needs})
        if generalist:
            cats = sorted(rng.sample([PC, ME, TM, MK, ED], rng.randint(2, 4)))
        elif rng.random() < 0.2:  # experts tick an extra category now and then
            cats = sorted({*cats, rng.choice([PC, ME, TM, MK, ED])})
        pool = sorted({k for n in needs for k in n.industries}) or ALL_MFG
        ksic = sorted(rng.sample(pool, min(len(pool), rng.choices([1, 2, 3], [35, 45, 20])[0])))
        head: list[str] = [title_line(rng, aff)] if rng.random() < 0.7 else []
        parts: list[str] = []
        for need in needs:
            phrases = rng.sample(need.expert, k=min(len(need.expert), rng.choice([1, 1, 2])))
            parts.extend(phrases)
        if generalist:
            parts.extend(rng.sample(GENERIC, 3))
        elif rng.random() < 0.35:
            parts.append(rng.choice(GENERIC))
        if rng.random() < 0.5:
            ind = INDUSTRIES[rng.choice(ksic)][0]
            parts.append(rng.choice(INDUSTRY_CONTEXT).format(ind=ind))
        if rng.random() < 0.5:
            parts.append(rng.choice(CAREER).format(n=rng.randint(5, 30)))
        # a few long, wordy profiles (normalisation matters)
        if rng.random() < 0.12:
            parts.extend(rng.sample(GENERIC, 2))
            parts.append(rng.choice(CAREER).format(n=rng.randint(5, 30)))
        rng.shuffle(parts)
        text = rng.choice(SEPARATORS).join(head + parts)
        experts.append(
            {
                "id": f"E{i:04d}",
                "name_ko": korean_name(rng),
                "affiliation_type": aff,
                "specialties_ko": text,
                "categories": "|".join(cats),
                "ksic2_list": "|".join(ksic),
                "_needs": {n.key for n in needs},
            }
        )
    return experts


def noisy(rng: random.Random, text: str) -> str:
    r = rng.random()
    if r < 0.25:
        for a, b in rng.sample(TYPOS, 3):
            if a in text:
                text = text.replace(a, b, 1)
    elif r < 0.4:
        for a, b in rng.sample(ENGLISH, 3):
            if a in text:
                text = text.replace(a, b, 1)
                break
    elif r < 0.5:  # spaces dropped, as typed on a phone
        words = text.split(" ")
        j = rng.randrange(max(1, len(words) - 1))
        text = " ".join([*words[:j], "".join(words[j : j + 2]), *words[j + 2 :]])
    return text


def build_cases(rng: random.Random) -> list[dict[str, object]]:
    cases: list[dict[str, object]] = []
    n = 0
    for need in NEEDS:
        k = rng.randint(*CASES_PER_NEED)
        phrases = list(need.case)
        rng.shuffle(phrases)
        for j in range(k):
            n += 1
            ksic2 = rng.choice(need.industries)
            ind_name, prods = INDUSTRIES[ksic2]
            body = phrases[j % len(phrases)]
            if j >= len(phrases):  # reuse with a second phrase joined in
                body = body + " " + phrases[(j + 1) % len(phrases)]
            text = (
                rng.choice(OPENERS).format(
                    prod=rng.choice(prods), emp=rng.randint(5, 50), ind=ind_name
                )
                + body
            )
            if rng.random() < 0.3:
                text += " " + rng.choice(DISTRACTORS[need.category])
            text += rng.choice(CLOSERS)
            text = noisy(rng, text)
            cases.append(
                {
                    "id": f"M{n:03d}",
                    "text_ko": text,
                    "category": need.category,
                    "industry_ksic2": ksic2,
                    "_need": need.key,
                }
            )
    return cases


def build_relevance(
    cases: list[dict[str, object]], experts: list[dict[str, object]]
) -> list[tuple[str, str, int]]:
    by_key = {n.key: n for n in NEEDS}
    rows: list[tuple[str, str, int]] = []
    rng = random.Random(SEED + 1)
    for case in cases:
        decoys: list[str] = []
        need = by_key[str(case["_need"])]
        siblings = {n.key for n in NEEDS if n.category == need.category and n.key != need.key}
        for ex in experts:
            ex_needs = ex["_needs"]
            assert isinstance(ex_needs, set)
            if need.key in ex_needs:
                same_ind = str(case["industry_ksic2"]) in str(ex["ksic2_list"]).split("|")
                rows.append((str(case["id"]), str(ex["id"]), 2 if same_ind else 1))
            elif ex_needs & siblings:
                decoys.append(str(ex["id"]))
        # decoys: same category, another specific need; a few written as explicit 0s
        for ex_id in sorted(rng.sample(decoys, min(5, len(decoys)))):
            rows.append((str(case["id"]), ex_id, 0))
    return rows


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def main() -> None:
    rng = random.Random(SEED)
    experts = build_experts(rng)
    cases = build_cases(rng)
    rel = build_relevance(cases, experts)
    eh = ["id", "name_ko", "affiliation_type", "specialties_ko", "categories", "ksic2_list"]
    write_csv(HERE / "matching_experts.csv", eh, [[e[h] for h in eh] for e in experts])
    ch = ["id", "text_ko", "category", "industry_ksic2"]
    write_csv(HERE / "matching_cases.csv", ch, [[c[h] for h in ch] for c in cases])
    write_csv(HERE / "matching_relevance.csv", ["case_id", "expert_id", "grade"], rel)
    pos = sum(1 for r in rel if r[2] > 0)
    print(f"{len(experts)} experts, {len(cases)} cases, {pos} relevant pairs, {len(rel)} rows")


if __name__ == "__main__":
    main()
