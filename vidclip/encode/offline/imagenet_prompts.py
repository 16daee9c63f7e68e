"""The 1000 ImageNet classes as sentences a sentence embedder understands.

ConSE places a frame at the mean of the sentence embeddings of its likely
ImageNet classes, so each class needs a sentence whose embedding sits near
the words people will tag with. The bare class names (torchvision's weight
metadata, available without a download) are often rare words ("tench",
"eft", "sorrel"), ambiguous ("crane", "drake", "mouse", "tank", "pick") or
say nothing of a person wearing them ("military uniform", "bikini"). So:

- animal classes get their family from the ImageNet index ranges (0-6 are
  fish, 151-268 dog breeds, ...): "a photo of a tench, a kind of fish.";
- about 390 names are rewritten by hand: ambiguous ones are disambiguated
  ("a construction crane"), obscure ones explained ("a drake, a male
  duck"), clothing names put on a person ("a woman wearing a bikini") --
  ImageNet has no "person" class, and this is the main way people reach the
  frame vector at all.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

TEMPLATE = "a photo of {}."

#: (first index, last index, family) for the animal part of ImageNet.
_FAMILIES: tuple[tuple[int, int, str], ...] = (
    (0, 6, "fish"), (7, 24, "bird"), (25, 32, "amphibian"), (33, 37, "turtle"),
    (38, 48, "lizard"), (49, 50, "crocodile"), (51, 51, "dinosaur"), (52, 68, "snake"),
    (69, 69, "fossil"), (70, 79, "arachnid or other creepy crawly"), (80, 100, "bird"),
    (101, 106, "mammal"), (107, 112, "sea creature"), (113, 117, "mollusc"),
    (118, 126, "crustacean"), (127, 146, "bird"), (147, 150, "marine mammal"),
    (151, 268, "dog"), (269, 280, "wild dog"), (281, 285, "domestic cat"),
    (286, 293, "big cat"), (294, 297, "bear"), (298, 299, "small mammal"),
    (300, 307, "beetle"), (308, 320, "insect"), (321, 326, "butterfly"),
    (327, 329, "sea creature"), (330, 332, "rabbit"), (333, 338, "rodent"),
    (339, 340, "horse"), (341, 343, "pig"), (344, 344, "mammal"), (345, 347, "cattle"),
    (348, 350, "wild goat or sheep"), (351, 353, "antelope"), (354, 355, "camel"),
    (356, 362, "small carnivorous mammal"), (363, 364, "mammal"), (365, 384, "monkey or ape"),
    (385, 386, "elephant"), (387, 388, "panda"), (389, 397, "fish"),
    (991, 997, "wild mushroom"),
)

#: Hand-written phrases, "index: phrase"; the phrase replaces the class name.
_OVERRIDES = """
7: a rooster
8: a hen, a chicken
15: a robin, a songbird
17: a jay, a blue and white bird
20: a dipper, a small water bird
21: a kite, a bird of prey
27: a newt, a kind of amphibian
33: a loggerhead sea turtle
36: a terrapin, a kind of turtle
41: a whiptail lizard
42: an agama lizard
51: a triceratops dinosaur
67: a diamondback rattlesnake
69: a trilobite fossil
70: a harvestman, a daddy longlegs spider
78: a tick, a small parasite
79: a centipede
97: a drake, a male duck
98: a merganser duck
99: a goose
100: a black swan
101: an elephant with tusks
102: an echidna, a spiny anteater
103: a platypus
104: a wallaby, a small kangaroo
105: a koala bear
106: a wombat, a marsupial
111: a nematode worm
116: a chiton, a sea mollusc
117: a chambered nautilus shell
126: an isopod, a woodlouse
134: a crane, a tall wading bird
136: a gallinule, a water bird
138: a bustard, a large ground bird
145: a king penguin
148: an orca, a killer whale
350: a wild goat or a deer, an ibex
351: a deer or a hartebeest
352: a deer or a small gazelle
353: a deer or a gazelle
149: a dugong, a sea cow
274: a dhole, a wild dog
275: an African wild dog
276: a hyena
281: a tabby cat
282: a tiger cat, a striped domestic cat
283: a Persian cat
284: a Siamese cat
285: an Egyptian cat, a domestic cat
287: a lynx, a wild cat
296: a polar bear
298: a mongoose
299: a meerkat
308: a fly, an insect
313: a stick insect
317: a leafhopper insect
318: a lacewing insect
321: a red admiral butterfly
322: a ringlet butterfly
326: a small blue butterfly
330: a rabbit
332: an angora rabbit
336: a marmot, a groundhog
339: a sorrel horse
340: a zebra
341: a pig, a hog
342: a wild boar
343: a warthog
344: a hippopotamus
345: an ox, a cow
346: a water buffalo
348: a ram, a male sheep
349: a bighorn sheep
354: a camel
356: a weasel
364: a sloth
383: a ring-tailed lemur
384: an indri lemur
385: an Indian elephant
386: an African elephant
387: a red panda
389: a barracouta, a fish
391: a coho salmon
392: a rock beauty, a tropical fish
393: a clownfish
397: a pufferfish
399: a woman wearing an abaya robe
400: a person in an academic gown at a graduation
408: an amphibious vehicle
410: an apiary with beehives
411: a person wearing an apron
412: a trash can
413: an assault rifle, a gun
418: a ballpoint pen
419: an adhesive bandage
421: a staircase banister
427: a wooden barrel
428: a wheelbarrow
433: a swimming cap
436: a station wagon car
437: a lighthouse
438: a laboratory beaker
439: a guardsman wearing a tall bearskin hat
442: a church bell tower
443: a baby's bib
444: a tandem bicycle
445: a woman wearing a bikini
446: a ring binder
450: a bobsled on an ice track
451: a bolo tie
452: a woman wearing a bonnet
456: a bow for archery
457: a man wearing a bow tie
458: a brass memorial plaque
459: a bra
460: a breakwater sea wall
461: a breastplate of armour
465: a person wearing a bulletproof vest
468: a taxi cab
469: a cauldron
471: a cannon, an artillery gun
474: a person wearing a cardigan sweater
475: a car's side mirror
476: a carousel, a merry-go-round
477: a carpenter's tool kit
478: a cardboard box
479: a car wheel
480: an ATM cash machine
487: a mobile phone
490: chain mail armour
492: a wooden chest
493: a chest of drawers
494: wind chimes
499: a meat cleaver, a kitchen knife
500: ancient cliff dwellings
501: a person wearing a cloak
502: a wooden clog shoe
506: a coiled spiral
509: a candy shop
511: a convertible car
513: a cornet, a brass instrument
516: a wooden cradle
517: a construction crane
518: a motorcycle crash helmet
520: a crib, a cot with bars
521: a slow cooker
524: a cuirass, body armour
528: an old rotary dial telephone
529: a diaper
533: a dish cloth
535: a disc brake on a wheel
536: a dock with ships
537: a dog sled
540: an offshore oil platform
542: drumsticks
544: a dutch oven cooking pot
548: a TV entertainment center
551: face powder makeup
553: a filing cabinet
556: a fireplace screen
557: a flagpole with a flag
560: an American football helmet
564: a four-poster bed
565: a freight train wagon
568: a person wearing a fur coat
570: a person wearing a gas mask
571: a petrol pump at a gas station
575: a golf cart
576: a gondola boat in Venice
578: a woman in a long gown
581: a car's radiator grille
584: a hair clip
586: a half-track military vehicle
589: a hair dryer
590: a handheld PDA computer
592: a computer hard disk drive
595: a combine harvester
596: a hatchet, a small axe
597: a gun holster
598: a home theater with a large TV
601: a woman in a hoop skirt
602: a gymnast on a horizontal bar
603: a horse-drawn cart
605: an iPod music player
606: a clothes iron
607: a carved halloween pumpkin
608: a person wearing blue jeans
610: a person wearing a jersey shirt
612: a rickshaw
614: a woman wearing a kimono
616: a knot in a rope
617: a person wearing a white lab coat
622: a camera lens cap
623: a letter opener
624: a library with bookshelves
626: a cigarette lighter
628: an ocean liner ship
630: a loafer shoe
631: a bottle of lotion
632: a loudspeaker
633: a magnifying glass
634: a sawmill
636: a messenger bag
637: a mailbox for letters
638: a woman in a leotard
639: a woman in a one-piece swimsuit
641: maracas
642: a marimba, a xylophone
643: a masquerade mask
645: a maypole
646: a hedge maze
647: a glass measuring jug
648: a medicine cabinet
649: standing stones, a megalith
652: a person in military uniform
655: a woman wearing a miniskirt
657: a missile, a rocket
658: mittens
660: a mobile home trailer
661: a vintage Ford Model T car
662: a computer modem
664: a computer monitor
665: a moped, a small motorcycle
666: a mortar and pestle
667: a graduate wearing a mortarboard cap
670: a motor scooter
672: a camping tent
673: a computer mouse
675: a moving truck
676: a dog wearing a muzzle
677: a metal nail
680: a baby bottle
681: a notebook computer
684: an ocarina, a flute
685: a car speedometer
686: a car oil filter
687: a pipe organ
689: a woman in a skirt
690: an ox-drawn cart
692: a small packet
693: a canoe paddle
694: a paddle wheel
697: a person wearing pajamas
699: pan pipes
701: a parachute
702: a gymnast on parallel bars
705: a railway passenger carriage
706: a patio with garden furniture
707: a payphone
708: a statue pedestal
709: a pencil case
711: a bottle of perfume
714: a plectrum, a small flat pick
715: a spiked German army helmet
716: a white picket fence
717: a pickup truck
719: a piggy bank
724: a pirate ship
725: a pitcher, a jug for pouring
726: a carpenter's hand plane
729: a dish rack
730: a plough
732: a Polaroid instant camera
733: a tall pole
735: a person wearing a poncho
736: a billiards table
737: a soda bottle
738: a flowerpot with a plant
743: a prison cell
744: a projectile, a missile in flight
746: an ice hockey puck
748: a handbag
749: a quill pen
751: a race car
752: a tennis racket
757: a camper van
758: a fishing reel
759: a reflex camera, a photo camera
763: a revolver, a handgun
764: a rifle, a gun
767: an eraser
769: a ruler
770: a running shoe, a sneaker
771: a metal safe
773: a salt shaker
775: a person wearing a sarong
776: a saxophone
777: a sword in its scabbard
778: a weighing scale
780: a schooner sailing ship
782: a projection screen
787: a shield
789: a Japanese paper sliding door
795: skis
796: a person wearing a balaclava ski mask
798: a slide rule
800: a slot machine
801: a person snorkelling
807: a satellite dish
809: a bowl of soup
810: a keyboard space bar
813: a spatula
816: a spinning spindle
818: a spotlight, a stage light
819: a performance stage
820: a steam train
823: a doctor's stethoscope
824: a woman wearing a stole
828: a kitchen strainer
829: a tram
830: a medical stretcher
831: a sofa
832: a Buddhist stupa
834: a man wearing a suit
836: sunglasses
837: a person wearing sunglasses
838: a bottle of sunscreen
840: a mop
841: a person wearing a sweatshirt
842: a man in swimming trunks
843: a playground swing
844: a light switch
847: a military tank
848: a cassette tape player
850: a teddy bear
851: a television
853: a thatched roof
854: a theater stage curtain
856: a threshing machine
858: a tiled roof
861: a toilet
862: a burning torch
865: a toy shop
867: a semi-trailer truck
869: a person wearing a trench coat
873: a triumphal arch
876: a washtub
878: a typewriter
881: an upright piano
882: a vacuum cleaner
884: a vaulted ceiling
885: velvet fabric
887: a priest in vestments
895: a military jet plane
896: a bathroom sink
897: a washing machine
903: a person wearing a wig
904: a window insect screen
905: a window blind
906: a man wearing a necktie
908: an airplane wing
911: wool yarn
912: a zigzag wooden rail fence
913: a shipwreck
914: a yawl sailing boat
916: a website on a computer screen
921: a book cover
922: a restaurant menu
923: a plate of food
925: a bowl of clear soup
926: a hot pot stew
927: a trifle dessert
929: an ice pop
930: a baguette, French bread
934: a hot dog sandwich
936: a cabbage
946: a cardoon, a thistle vegetable
948: a green apple
958: hay bales
959: a plate of spaghetti carbonara
961: bread dough
964: a pot pie
966: a glass of red wine
967: a cup of espresso coffee
968: a cup
969: a glass of eggnog
970: a snowy alpine mountain
971: a soap bubble
973: a coral reef underwater
975: a lakeside
976: a coastal headland
978: a beach at the seashore
981: a baseball player
982: a bridegroom at a wedding
983: a scuba diver underwater
984: a field of yellow rapeseed flowers
985: a daisy flower
986: a yellow lady's slipper orchid
987: an ear of corn
989: a rose hip berry
990: a buckeye nut
998: an ear of wheat
999: a roll of toilet paper
"""


def _overrides() -> dict[int, str]:
    out = {}
    for line in _OVERRIDES.strip().splitlines():
        index, phrase = line.split(":", 1)
        out[int(index)] = phrase.strip()
    return out


#: Class names that take no article ("a photo of binoculars.").
_BARE = {"binoculars", "ice cream", "guacamole", "consomme", "mashed potato", "chocolate sauce"}


def _article(name: str) -> str:
    # vidclip.english's heuristics are tuned for the vocabulary's phrases and
    # misread ImageNet's names ("water snake" as a mass noun, "Great
    # Pyrenees" as a plural); every remaining name here is a singular noun.
    if name in _BARE:
        return name
    return ("an " if name[0].lower() in "aeiou" else "a ") + name


def _family(index: int) -> str | None:
    for first, last, family in _FAMILIES:
        if first <= index <= last:
            return family
    return None


#: torchvision's ImageNet-1k class names (``ResNet18_Weights.IMAGENET1K_V1.meta``),
#: one a line in class-index order: copied into the package so that set-up
#: does not import torchvision (and torch._dynamo through it) to read them.
CLASSES_FILE = Path(__file__).resolve().parents[2] / "data" / "imagenet" / "classes.txt"


@cache
def class_names() -> tuple[str, ...]:
    """The 1000 ImageNet names in class-index order, as torchvision ships them."""
    names = tuple(CLASSES_FILE.read_text(encoding="utf-8").splitlines())
    if len(names) != 1000:
        raise ValueError(f"{CLASSES_FILE}: {len(names)} ImageNet class names, not 1000")
    return names


def class_phrase(index: int, name: str, overrides: dict[int, str]) -> str:
    if index in overrides:
        return overrides[index]
    family = _family(index)
    phrase = _article(name)
    if family is None or family in name.lower().split():
        return phrase
    kind = "a breed of" if family == "dog" else "a kind of"
    return f"{phrase}, {kind} {family}"


@cache
def class_prompts(template: str = TEMPLATE) -> tuple[str, ...]:
    """One sentence per ImageNet class, in class-index order."""
    overrides = _overrides()
    names = class_names()
    return tuple(template.format(class_phrase(i, n, overrides)) for i, n in enumerate(names))


@cache
def class_texts() -> tuple[str, ...]:
    """``"name, phrase"`` per class: the words :mod:`.grounding` looks labels up in."""
    overrides = _overrides()
    return tuple(f"{n}, {class_phrase(i, n, overrides)}" for i, n in enumerate(class_names()))
