"""Teaching text for the mechanism diagram, one short block per pathway (the keys of figures.MECHANISM_STEPS).

Written for the app in its own words; every statement cites short names from references.py.

>>> list(PATHWAY_TEACHING)
['b12', 'folate_bypass', 'inflammation', 'confounding']
>>> PATHWAY_TEACHING["confounding"][0].citations
('Health Eval Promot 28(3)',)
"""

from __future__ import annotations

from b12logic.esr import Statement

# Shown beside a lit MCV or haemoglobin box: those findings have many causes besides B12.
MACROCYTOSIS_CAVEAT = Statement(
    "A raised MCV or a low haemoglobin is not by itself evidence of megaloblastic anaemia: alcohol, liver disease, "
    "drugs (the commonest cause in 300 inpatients with macrocytosis), hypothyroidism, myelodysplasia, "
    "reticulocytosis and pregnancy raise the MCV too. An MCV above 120 fL is usually cobalamin deficiency.",
    ("Savage 2000",),
)

PATHWAY_TEACHING: dict[str, tuple[Statement, ...]] = {
    "b12": (
        Statement(
            "B12 is the cofactor of two enzymes. As methylcobalamin it lets methionine synthase turn homocysteine "
            "and 5-methyl-THF into methionine and THF. Without it, folate stays locked up as 5-methyl-THF (the "
            "methyl-folate trap), cells cannot make DNA fast enough, and the marrow turns megaloblastic: large red "
            "cells (raised MCV), hypersegmented neutrophils, anaemia. Homocysteine builds up.",
            ("AFP 2017", "BSH 2014"),
        ),
        Statement(
            "As adenosylcobalamin it is the cofactor of methylmalonyl-CoA mutase. Without it methylmalonic acid "
            "(MMA) accumulates, which is why MMA is the functional test, and myelin suffers in the dorsal and "
            "lateral columns of the cord (subacute combined degeneration).",
            ("AFP 2017", "BSH 2014"),
        ),
        Statement(
            "The nerves can be hit first: over a quarter of people with neurological disease from B12 deficiency "
            "have a normal haematocrit or MCV, and coexisting iron deficiency can hide the large red cells.",
            ("Lindenbaum 1988",),
        ),
        Statement(
            "Nothing on this side is inflammation: B12 deficiency does not make the liver produce acute-phase "
            "proteins, so it gives no reason for a raised ESR.",
            ("source",),
        ),
    ),
    "folate_bypass": (
        Statement(
            "Folic acid enters DNA synthesis below the trap, so the blood count can improve. It does nothing for "
            "methylmalonyl-CoA mutase or myelin: MMA stays high and nerve damage can progress out of sight.",
            ("source", "BNF / NICE CKS"),
        ),
        Statement(
            "That is why folic acid is not given alone until B12 deficiency has been excluded or B12 treatment "
            "has started.",
            ("source", "BNF / NICE CKS"),
        ),
    ),
    "inflammation": (
        Statement(
            "Infection, cancer or autoimmune disease drive cytokines, chiefly IL-6 with IL-1 and TNF. The liver "
            "answers with acute-phase proteins: fibrinogen and CRP rise while albumin falls.",
            ("ICSH 2011",),
        ),
        Statement(
            "Fibrinogen cancels the surface charge that keeps red cells apart, so they stack into rouleaux, which "
            "settle faster: the ESR rises. It lags days behind CRP, because fibrinogen lasts longer in the blood.",
            ("ICSH 2011",),
        ),
        Statement(
            "What counts as raised depends on age and sex: the upper limit is age/2 mm/h for men and (age + 10)/2 "
            "for women.",
            ("Miller 1983",),
        ),
        Statement(
            "An ESR of 100 mm/h or more nearly always has a cause: of 1,006 outpatients, 4.2% had one, and among "
            "them the cause was infection in 33%, malignancy 17%, renal disease 17%, inflammatory disease 14%.",
            ("Fincher 1986",),
        ),
    ),
    "confounding": (
        Statement(
            "The only link between the two sides: anaemia of any cause, B12 deficiency included, lowers the "
            "haematocrit, and the ESR rises a little (about 2.3 mm/h per 1 g/dL lower haemoglobin in 20,926 "
            "screening records). That is physics, not inflammation.",
            ("Health Eval Promot 28(3)",),
        ),
        Statement(
            "Published haematocrit 'corrections' of the ESR are not validated, so the app does not correct the "
            "number. A clearly raised ESR is not explained away by B12 deficiency: work it up on its own.",
            ("source", "Fincher 1986"),
        ),
    ),
}
