"""Small word lists for chat-length messages.

Character n-grams need a few words before they can tell Spanish from Quechua;
a chat reply is often one word. These lists hold frequent chat words whose
language is not in doubt. Write entries the way people type them; lookups go
through the same normalisation (and, for Quechua, the same spelling folding),
so one spelling per word is enough, though listing common variants does no harm.

Words that are ordinary in both languages ("papa", "mama", "ama", "llama",
"pampa", "inca", "cancha") are deliberately absent.

review: pending-native-review (the Quechua lists were written by a non-native
engineer from general knowledge and checked against the project's reference
vocabulary; none of them was taken from the evaluation sentences).
"""
from __future__ import annotations

# Set phrases (yes, no, thanks, greetings, goodbyes). They tell the language of
# a reply but not the language a person wants to be answered in: bilinguals
# say "gracias" inside a Quechua conversation and "arí" inside a Spanish one.
QUECHUA_FORMULAS = """
ari arí arisi aríya manam manan mana amam aman allinllachu allillanchu
allinllam allillanmi imaynalla imaynallam imaynallan napaykullayki napaykuyki
rimaykullayki rimaykullawayku tupananchikkama tupananchiskama ratukama
paqarinkama qayakama sulpayki yusulpayki diospagrasunki añaychayki añay
""".split()

SPANISH_FORMULAS = """
hola buenas buenos buen dia dias tardes noches gracias muchas chau chao adios hasta
luego si claro dale vale bueno bien por favor porfa
que de del el la los las un una unos unas en y o e u a al es son para con sin mi
mis me te tu tus yo usted ustedes nosotros ella ellos le les lo se su sus como donde
cuando cual cuales quien quienes porque pero tambien muy mas menos nada ese esa eso
este esta esto estos estas
""".split()
# (The second part are function words: Spanish's grammar, but bilinguals use
# them inside Quechua too; like set phrases, they do not count as "marked".)

# Other frequent Southern Quechua chat words (Cusco-Collao and Ayacucho-Chanka).
QUECHUA_WORDS = """
manaraq manachu allinmi allinlla imaynam imaynata imayna urpichay
ñuqa ñuqayku ñuqanchik ñuqapa ñuqaqa qam qan qamqa qamkuna pay paykuna
ima imataq imata imamanta imapaq imarayku pi pitaq pim may maypi maymanta mayman
maypitaq hayk'aq hayka haykataq
kay chay chaypi chayqa kaypi chaymanta chaymi chaynam kunan kunanqa kunanmi
hina ichaqa ichapas paqarin qayna tuta punchaw p'unchay huk sapa llapan tukuy
hinaspa hinallataq nispa nisqa nisqata nisqawan nisqapi nisqamanta ukhupi
munani munanichu munanki munankichu munaspa yanapaway yanapawanki yanapawankichu
yanapay yanapaykuway yanapawaychik qispichiway willaway willay willakuy willaykuway
rimay rimaway rimayta rimasaq rimanki rimankichu kani kanki kankichu kachkani kachkan
kachkanki karqa rini risaq hamuy hamuway yachani yachanichu yachankichu atinichu
llamk'ay llamk'ayta maskachkani tapukuy tapuyta niway nini
manchakuni manchachiwan wichqasqa wichqawanku suwakuwanku
runa runakuna warmi qari wawa wawakuna wasi llaqta ayllu tayta taytay mamay
wawqi pani ñaña tura runasimi runasimipi qichwa kichwa qichwapi
allin sumaq millay sasa chiqap hatun huch'uy sutiy sutiyqa sutiymi sutiyki
sutiykiqa
""".split()

# Other Spanish chat words. Accents are optional: lookups strip them.
SPANISH_WORDS = """
estoy estamos estan soy eres quiero quisiera necesito tengo tiene tienen puedo
puede puedes hay ayuda ayudame ayudeme ayudenme auxilio socorro nadie algo
alguien todo todos siempre nunca ahora hoy mañana ayer aqui alla ahi trabajo
trabajar oferta denunciar denuncia caso hablar persona señora señor señorita hija
hijo hermana hermano prima primo amiga amigo tia tio entiendo entendi sabes saber
quiere quieren dice dijo van voy vas va fue fui vamos hacer hago hace solo pues
entonces seguro verdad
""".split()

# A few English words, so that "hello how are you" is not taken for Spanish.
ENGLISH_WORDS = """
hello hi hey thanks thank you your the is are was what how why please help yes
yeah i'm my this that with from have want need can speak english
""".split()

# And a few Portuguese ones: Portuguese n-grams are close to Spanish ones.
PORTUGUESE_WORDS = """
não nao você voce obrigado obrigada olá oi tudo uma com eu muito quero preciso
ajuda emprego essa esse isso também então meu minha bom bem agora aqui trabalho
""".split()

# Neither language: acknowledgements, laughter, fillers. They never decide anything.
NEUTRAL_WORDS = """
ok oki okey okay okis k ya yaa yap jaja jajaja jajajaja jeje jejeje jiji xd xdd
mmm mm hmm ah ahh eh oh uy uyy aja ajá ahá pe pes bye bai gg lol wow
""".split()

# Words that look Quechua but are not ("ok", "kilo", "whatsapp"; English "are"
# would fold to "ari").
NOT_QUECHUA = """
ok oki okey okay k kilo kilos kiosko kiwi karate karaoke tiktok kaki kaka
wasap wasa wasapp whatsapp wifi web wow show taiwan kuwait kayak are
item idem tandem totem harem requiem islam adam william miriam abraham vietnam
them seem team dream
""".split()
