"""Each indicator fires on typical phrasing (Spanish, Quechua, slang) and not on near-misses."""
import pytest

from bot.screening import screen
from bot.screening.screener import default_catalog

# indicator id -> (texts that must show it, near-misses that must not)
CASES = {
    "minor": (
        ["Tengo 16 años y me ofrecen trabajo", "se buscan chicas de 15 a 20 años", "edad: 16 - 22",
         "mi hermana tiene 14, se va hoy", "aceptamos menores de edad", "estoy en 4to de secundaria",
         "chicos de 14 a 17 para vender", "quiere llevarse a mi sobrina de 12 años", "mi hermanita de 13 vaya a trabajar",
         "oportunidad para adolescentes que quieran ganar", "hay chamba para chibolas en un hotel",
         "chambita para chibolos en la chacra",
         "15 watayuq kani", "chunka pichqayuq watayuqmi kani", "no importa la edad",
         "sipaskunapaq 17-22 watayuq", "ñañay 15 watallayuq", "dicen q no preguntan edad ni nada"],
        ["edad 18 a 30 años", "solo mayores de 18", "2 años de experiencia", "no aceptamos menores de edad",
         "busco niñera para mis hijos de 6 y 8 años", "profesor para alumnos de 13 a 16 años",
         "mozo para fiesta de quince años", "tengo 25 años", "tengo 15 soles nomás",
         "personal de 18 a 45 años", "chicos de 10 a 12 soles la hora", "niñera para cuidar a mi sobrina de 5 años",
         "preparador físico para divisiones menores de 12 a 16 años", "clases para adolescentes de 13 a 17 años",
         "trabajadora del hogar para cuidado de casa y 2 niños (6 y 9 años)",
         "Empresa de servicios petroleros con 15 años en Loreto requiere soldadores"],
    ),
    "travel_paid": (
        ["pasajes pagados", "viaje pagado!!", "te pagamos el pasaje", "el pasaje lo adelantamos", "te pagamos el bus",
         "incluye traslado", "pasajeykita pagasaqku", "pasaje y hotel pagado",
         "el pasaje ella lo pone", "Viaje todo pagado", "Avioneta la pone el patron",
         "viajetaqa ñuqaykum pagasaqku"],
        ["no pagamos pasajes", "el pasaje lo pagas tú", "vendo pasajes a Cusco"],
    ),
    "debt": (
        ["el pasaje se descuenta del primer sueldo", "te descontamos la comida del sueldo",
         "hasta que pagues lo que debes", "me dicen que les debo el pasaje", "lo pagas trabajando",
         "tengo que trabajar 3 meses más para pagar la comida", "lo vas pagando con tu sueldo",
         "primero tenemos que cubrir lo que costó el viaje", "el pasaje yo lo pongo, después me lo pagas con lo que ganes",
         "mikuyta descontasunki", "el patrón te adelanta 300 soles y después trabajas para pagarlo",
         "tengo que seguir trabajando hasta que le pague los 2000 soles",
         "si no cumplen la cuota se les descuenta de la comida", "después se descuentan de lo que ganes",
         "primero pague lo que gastó en traerme",
         "la agencia te presta el dinero del viaje", "manuykita llamk'aspa pagakunki",
         "primer sueldomanta descuentanku", "el costo del paso son 300 soles q se descuenta de tu primera semana",
         "chaymi deuda wiñachkan", "dice q todavia debo el pasaje y la comida",
         "dice q primero le pague lo q gasto en traerme",
         "pasajeta ñuqa pagasaq chaymanta descuentasaq"],
        ["tengo deudas y busco trabajo", "mana pasajeta cobrankuchu nitaq descuentankuchu", "gestores de cobranza para recuperar deudas",
         "mi jefe me adelanto 200 soles y me lo descuenta por boleta",
         "las tardanzas se descuentan del sueldo", "se descuenta AFP del sueldo", "trabajo en el Manu como guía"],
    ),
    "documents_kept": (
        ["nos quedamos con tu DNI", "me quitaron mi DNI", "el patrón tiene nuestros documentos",
         "no me devuelven mi pasaporte", "tienes que dejarnos tu DNI", "el DNI lo guarda el patrón",
         "no te devolvemos tus documentos", "me tienes que entregar tu DNI como garantía",
         "piden mi DNI original y dicen que me lo devuelven cuando acabe el contrato",
         "el señor del fundo tiene los DNI de todos",
         "DNI-ykita hap'isaqku", "dniyta waqaychanqaku", "Manam DNI-yta kutichipuwankuchu",
         "copia y ORIGINAL de DNI se quedan en nuestra oficina hasta que la mina te acepte",
         "DNI-ykita chayaspa entreganki", "mi dni lo tiene el encargado 'pa q no se pierda'",
         "DNI-ykichikta qowaychik planillapaq", "\"DNI-ykita ñuqa hap'isaq\" nin señora",
         "DNI-ykita waqaychasaq, DNI-ykiqa ñuqawanmi kanqa",
         "\"DNI-ykita originalta apamunki, chaypi waqaychasqayku\" ninku"],
        ["acercarse con DNI", "enviar copia de DNI", "mana DNI-ykita hap'isaqkuchu", "requisitos: DNI vigente", "entregar CV y DNI en la oficina",
         "nunca te pediremos tu DNI", "no retenemos documentos", "DNI vigente como requisito",
         "si no tienes DNI no te podemos contratar",
         "DNI-ntaqa ususiymi hap'inqa, domingokunapi lluqsinqa", "DNI-ykitaqa qamlla hap'inki",
         "Celular y documentos los guarda usted",
         # a notice that quotes red flags to warn is not making the offer
         "Sichus pipas \"DNI-ykita saqiwanki\" nisunki chayqa, 0800-2-3232 yupayman waqyay",
         "si alguien te dice que le dejes tu DNI, denúncialo"],
    ),
    "lodging_at_work": (
        ["cama adentro", "alojamiento y comida", "duermes en el local", "te damos cuarto", "chaypi puñunki", "les damos techo"],
        ["no incluye alojamiento", "cama de dos plazas en venta"],
    ),
    "unverifiable_employer": (
        ["sin contrato", "no hay contrato, es de palabra", "la empresa es reservada", "manam contrato kanchu"],
        ["contrato a plazo fijo", "firma de contrato el primer día"],
    ),
    "pay_too_good": (
        ["sueldo S/ 3000 sin experiencia", "ganas 150 diarios, no se necesita experiencia",
         "¿quieres ganar 5 lucas al mes? trabajo de ayudante", "ingreso diario de 200 a 400 soles para srtas",
         "señoritas, 2500 + propinas, no se requiere experiencia", "fresas en España, 3000 euros al mes, sin experiencia",
         "jale para chicas, 2 mil quincenal",
         "4000 soles por mes como mesera", "dinero fácil", "ganancias de hasta 5 mil", "askha qullqita qusqayki"],
        ["sueldo S/ 1200, sin experiencia", "ingeniero con 5 años de experiencia, S/ 8000",
         "vendedores: gana hasta 4000 en comisiones, sin experiencia",
         "necesito joven para ayudar en una mudanza el sábado, 100 soles el día",
         "señoritas para anfitrionas en congreso, 2 días, 120 soles por día"],
    ),
    "urgency": (
        ["URGENTEEE", "viaje inmediato", "cupos limitados", "mañana salimos temprano", "kunan tuta risun"],
        ["horario de mañana y tarde", "trabajo estable"],
    ),
    "sector_nightlife": (
        ["damas de compañía", "anfitrionas para night club", "karaoke en Juliaca", "trabajo en bar",
         "trabajar en una disco recibiendo entradas",
         "acompañar a los clientes", "modelo webcam", "eventos privados",
         "chicas para masajes", "barpi llamk'aq sipasta", "atención VIP",
         "chicas para restobar", "centro nocturno", "impulsadoras para un club",
         "conversar con señores por videollamada",
         "ganancia diaria, \"servicios adicionales\" bien pagados a criterio de la chica"],
        ["bar de jugos en el mercado", "bartender para el bar del hotel", "anfitrionas para eventos corporativos",
         "hotel ofrece servicios adicionales de lavandería y traslado al aeropuerto",
         "acompañante de adulto mayor", "barra de cocina", "bar-cafetería de la universidad", "vendo disco duro externo"],
    ),
    "sector_extractive": (
        ["trabajo en minería", "campamento minero", "aserradero", "recolección de castaña", "minapi llamk'ay"],
        ["carpintería en madera fina", "terminal terrestre"],
    ),
    "sector_domestic": (
        ["trabajadora del hogar", "chica para casa de familia", "cuidar niños", "wasipi llamk'anaykipaq",
         "se busca nana para bebé"],
        ["trabajo desde casa vendiendo por catálogo", "Oye ñaña, me ofrecen chamba"],  # ñaña (sister) -> "nana" in plain form
    ),
    "risk_destination": (
        ["Puerto Maldonado", "pto. maldonado", "trabajo en minas, salida desde Puerto Maldonado", "MAZUKO", "Mazukupi", "La Rinconada", "Puerto Maldonadoman", "Juliacapi",
         "chamba facil en Llochegua"],
        ["Maldonado es mi apellido", "Lima, Cusco y Arequipa",
         # where an office is is not the destination
         "firmar el compromiso en su oficina de Juliaca"],
    ),
    "abroad": (
        ["trabajo en Argentina", "al extranjero", "Chileman risun", "Chilemanmi pusawanqaku", "meseras en Dubái"],
        ["Av. Brasil 1234, Jesús María", "Jr. Colombia 120", "empresa chilena en Lima"],
    ),
    "abroad_irregular": (
        ["no necesitas pasaporte", "pasamos por trocha", "cruzamos la frontera de noche",
         "viajas con visa de turista para trabajar", "mana pasaporte necesitakunchu",
         "Viajas como turista y allá te regularizamos con contrato", "trochantam pasachisqaykichik",
         "'migracionespi paseollapaq rini niychik' ninku", "en migraciones di que vas de paseo",
         "no es necesario que tengan papeles", "los pasamos por Desaguadero de noche",
         "te conseguimos papeles allá", "no necesitas DNI ni permiso de tus papás"],
        ["pasaporte vigente obligatorio", "frontera con Bolivia"],
    ),
    "secrecy": (
        ["no le cuentes a tu familia", "que nadie se entere", "q nadie sepa", "borra los mensajes",
         "ama mamaykiman willankichu", "mana willanaykichu", "pakallapi",
         "me dijo q a mi mama le diga q es en una tienda de zapatillas"],
        ["cuéntale a tu familia", "mana willawankuchu imapas"],
    ),
    "no_office_contact": (
        ["info solo por inbox", "solo WhatsApp", "no tenemos oficina", "te recogemos en el paradero",
         "me escribió un chico por TikTok", "facebookpi riqsirqani"],
        ["visítanos en nuestra oficina", "llamar al 984 123 456"],
    ),
    "payment_to_family": (
        ["le pagamos a tus papás", "tu mamá recibirá un adelanto", "le va a mandar plata a mi mama",
         "tayta mamaykiman qullqita qusaqku", "le ofrecieron a mis papás 2 mil soles",
         "mándame a tu hijo a la chacra, yo le doy techo y te mando 200 soles cada mes",
         "Adelanto de S/1000 para tu familia al embarcar",
         "qullqitam qusaqku niwanku", "mi papá dice que un señor me va a llevar a Lima y que ya le dio plata",
         "yo le doy una plata a tu familia", "Tayta mamamanqa sapa semana 50 soles qonqa nin"],
        ["ayudo a mi mamá en su tienda", "mi papá me dio permiso",
         "el dueño es conocido de la familia, le pagan semanal",
         "Ñañayqa Limapi llamk'achkan, sapa killa qullqita kachamun mamayman"],
    ),
    "study_or_help_offer": (
        ["te pagamos tus estudios en Lima", "vivir con su madrina", "a cambio de ayudar en la casa",
         "le ofreció a mi mamá ayuda para mis estudios", "le va a pagar el colegio",
         "becas de estudio, vivirán en casa de una familia"],
        ["trabajo de medio tiempo, ideal para estudiantes", "Beca 18: postula en la web del Pronabec"],
    ),
    "agency_fee": (
        ["inscripción S/ 200", "pagas 50 soles para reservar tu cupo", "yapea 30 para separar tu vacante",
         "costo del trámite S/ 800", "agenciaman 300 solesta pagasqayki",
         "Nosotros tramitamos tu contrato y tu residencia, el costo es S/ 800",
         "se deposita a la cuenta de la señora que coordina",
         "agencia de empleos 30 solesta mañakuwan inscripcionpaq",
         "Costo del programa: US$ 1,800", "separa tu cupo con US$ 500",
         "examen medico obligatorio en nuestra clinica asociada s/ 250",
         "Inversión total 3.500 dólares, 50% al inscribirte",
         "piden 500 dólares para la visa",
         "debo pagar 200 dólares a la persona que me consigue el trabajo"],
        ["no cobramos inscripción", "la inscripción no tiene costo", "capacitación pagada",
         "uniforme a cargo de la empresa", "pago quincenal",
         "examen medico pre-ocupacional pagado por la empresa"],
    ),
    "confinement": (
        ["no me dejan salir", "nos tienen encerradas", "estoy encerrada", "no me puedo ir",
         "somos varias chicas encerradas, ayuda",
         "wichqasqa kachkani", "mana lluqsiyta atinichu", "minapi hapiwanku, mana kutiyta atinchikchu",
         "manam lluqsichiwankuchu", "patronan mana kacharinchu", "no puedes salir del campamento",
         "no tendrá salida los primeros meses", "nos tienen en el campamento sin poder salir",
         "dormimos ahi mismo y el dueño cierra la puerta con candado en la noche",
         "en la noche nos cierran la puerta con candado"],
        ["mis papás no me dejan salir de noche", "no puedo salir a trabajar porque cuido a mi bebé",
         # "did not come back" / "I'm not going out": plain negated verbs, not being held
         "Tayta Juanqa manam kutimunchu chakramanta", "manam kutimunchu",
         "Ña pagarqani, telefonontapas mana kutichinchu", "Manam lluqsinichu kunan, paray kachkan",
         "Mamaqa manam kutimunqachu kunan tuta", "Warmiyqa manam lluqsimunchu wasimanta, unqusqa kachkan",
         "Limpieza de oficina; al salir, cierra la puerta con llave y deja la llave en portería",
         # a rumour about people in general is a worry, not someone held now
         "Tengo miedo pq escuché de chicas q las encierran en las casas",
         "una vecina me asustó diciendo q a los mineros los encierran",
         "vecinaykuna ninku \"minakunapiqa runakunata wisq'anku\" nispa"],
    ),
    "threats": (
        ["me amenazan", "dicen que le harán daño a mi familia", "si me voy me van a matar", "manchachiwanku",
         "dice que si me escapo le va a hacer algo a mi mamá",
         "si no atiendo a los clientes me va a denunciar", "tu familia se va a enterar de todo",
         "dice que va a llamar a migraciones", "si no llevo 50 soles al día me castigan",
         "me bota sin pagarme y que va a llamar a migraciones", "el capataz anda armado",
         "si me niego no me dan de comer", "me obligan a atender clientes",
         "patronmi manchachiwanku", "patronqa familiaykunata manchachin"],
        ["no me amenazan", "control de plagas: matar ratas", "si me voy temprano aviso a mi mamá",
         "nunca te vamos a denunciar", "me obligan a usar uniforme", "si no quiero no firmo el contrato",
         "¿me pueden deportar si denuncio?", "¿me van a meter presa por haber trabajado en el bar?",
         "Mamay nin familiaqa manam engañanchu, amigaykunataq manchachiwanku"],
    ),
    "drugs_alcohol": (["tomar con los clientes", "te dan pastillas", "fichaje", "1800 + fichas", "comisiones por bebida"],
                      ["no se consume alcohol", "llenar la ficha de inscripción"]),
    "excessive_hours": (
        ["16 horas diarias", "de 6am a 11pm", "sin día de descanso", "trabajo de día y noche",
         "un día libre, jornada de 16 horas diarias"],
        ["turnos de 12 horas", "de 8am a 5pm", "atención 24 horas", "viaje de 14 horas en bus",
         "descanso semanal de 24 horas continuas"],
    ),
    "wages_withheld": (
        ["no nos pagan", "pago al final de la temporada", "solo por propinas", "mana pagawankuchu",
         "el resto se liquida al retorno", "el patron no paga, dice q todavia debo",
         "pagan al terminar la campaña", "ni te pagamos nada",
         "nos tienen trabajando sin pago", "pagamos al salir", "mana pagasunkichu", "me bota sin pagarme",
         "ya van 3 meses y no me dan nada", "manataq qullqita pagapunchu",
         "dice que el resto lo guarda para cuando volvamos", "el pago es al final cuando sale la madera"],
        ["pago quincenal puntual", "no te pagamos el pasaje", "el resto del equipo lo guarda la empresa",
         "el pago es al final de cada mes, en tu cuenta"],
    ),
    "isolation": (["no podrás usar celular", "me quitaron el celular", "allá no tendrás celular",
                   "no me deja tener celular",
                   "celularniytam qichuwanku", "que no llamen a la familia hasta que esten instaladas",
                   "Sales mañana y no lleves celular", "no hay bote para volver", "Bote mana kanchu kutimunanpaq",
                   "escribo con el cel de otra chica pq el mio lo tiene ella", "3 meses sin salida, ahi no hay señal"],
                  ["celular de la empresa", "no puedes usar el celular durante el turno",
                   "llama a tu familia cuando llegues", "DNI-ntapas celularnintapas paylla hapinqa",
                   "DNI-ytaqa mana mañakunchu waqaychanapaq, celularniyqa ñuqawanmi kanqa",
                   "régimen 3 semanas sin bajar y 1 de descanso, planilla"]),
    "appearance_photos": (
        ["enviar foto de cuerpo entero", "fotos en bikini", "chicas bonitas", "Enviar fotos en ropa de baño",
         "'ropa interiorpi fotota kachamuy casting-paq' nin", "Envíanos 5 fotos (una en traje de baño)"],
        ["buena presencia", "foto tamaño carnet"],
    ),
    "vague_job": (
        ["te explicamos todo al llegar", "el sueldo me lo explican cuando llegue", "me engañaron",
         "Sales mañana, no preguntes mucho", "'ama imatapas tapukunkichu' nin"],
        ["te explicamos las funciones en la entrevista"],
    ),
    "agency_involved": (["agencia de empleos", "la agencia me ofrece trabajo"], ["agencia de viajes"]),
    "drug_courier": (["buscan chicos para cargar mochilas por el monte, pagan 1000 por viaje",
                      "necesitan mochileros en el VRAEM", "solo tienes que llevar un paquete sin abrirlo",
                      "mochilata monteta apanaykipaq"],
                     ["llevar mochila y lonchera al colegio", "guía para mochileros en Cusco y Machu Picchu",
                      "guía de selva para mochileros en Tambopata", "repartidor para llevar paquetes de noche en Lima",
                      "reparto de paquetes en moto en Lima"]),
    "marriage_offer": (["te casarás con un extranjero", "buscan esposa", "busco chica para que sea mi esposa",
                        "AGENCIA MATRIMONIAL INTERNACIONAL busca chicas peruanas",
                        "para conocer caballeros europeos serios que quieren casarse",
                        "hawa llaqtayuq qharikunawan casarakunaykichikpaq",
                        "un gringo que conocí por internet quiere casarse conmigo"],
                       ["matrimonio civil el sábado", "mi esposa busca trabajo"]),
    "begging": (["pedir limosna", "vender caramelos en los buses", "vendedoras de golosinas en los micros",
                 "llevando niños a Cusco para que vendan caramelos y pidan en la calle",
                 "wawakunata maskan Qosqo plazapi turistakunawan fotota horqochinankupaq"],
                ["vender ropa en la feria", "pidan informes en la oficina",
                 "fotógrafo para tomar fotos para turistas en Machu Picchu, con contrato"]),
    "recruiter_close": (["una amiga me ofrece trabajo", "huk señora niwan", "mi tía quiere que vaya a trabajar"],
                        ["mi amiga trabaja en un banco"]),
    "young_women_sought": (
        ["se buscan señoritas", "buscamos chicas para atender", "trabajo en Mazuko para chicas",
         "sipaskunata maskanku", "18 a 22 años, soltera sin hijos"],
        ["no buscamos chicas menores", "mis hijas son señoritas", "señoritas y jóvenes: curso gratuito"],
    ),
    "formal_ruc": (["RUC 20601234567"], ["RUC en trámite"]),
    "formal_contract": (["contrato en planilla", "beneficios de ley", "EsSalud", "planillapi", "contratowan",
                         "contrato por un año", "contrato temporal con la empresa", "contrato huk watapaq",
                         "Abancaypi contratota firmarqan"],
                        ["sin contrato ni planilla", "no te ponemos en planilla"]),
    "formal_office": (["enviar CV a rrhh@empresa.com.pe"], ["mandar foto al WhatsApp"]),
}


def found_ids(text):
    r = screen(text)
    return set(r.ids) | {i.id for i in r.mitigating}


def test_every_indicator_has_cases():
    missing = set(default_catalog().ids) - set(CASES) - {"travel"}
    assert not missing, f"indicators without fire/near-miss tests: {sorted(missing)}"


@pytest.mark.parametrize("iid,text", [(i, t) for i, (pos, _) in CASES.items() for t in pos])
def test_fires_on_typical_phrasing(iid, text):
    assert iid in found_ids(text), f"{iid} should fire on {text!r}"


@pytest.mark.parametrize("iid,text", [(i, t) for i, (_, neg) in CASES.items() for t in neg])
def test_does_not_fire_on_near_miss(iid, text):
    assert iid not in found_ids(text), f"{iid} should not fire on near-miss {text!r}"


@pytest.mark.parametrize("text", ["tengo que viajar a Lima", "te llevamos el lunes", "Limaman risun"])
def test_travel_fires(text):
    assert "travel" in found_ids(text)


def test_travel_near_miss():
    assert "travel" not in found_ids("disponibilidad para viajar, viáticos pagados")


def test_evidence_is_the_persons_own_words():
    text = "Se busca SEÑORITAS para Pto. Maldonado, viaje pagadooo!!"
    r = screen(text)
    for ind in r.indicators:
        assert ind.evidence.rstrip("…") in text, (ind.id, ind.evidence)
    ev = {i.id: i.evidence for i in r.indicators}
    assert ev["risk_destination"] == "Pto. Maldonado"
    assert ev["travel_paid"] == "viaje pagadooo"


def test_evidence_is_short_even_for_long_matches():
    r = screen("Te pagamos el pasaje " + "y bla " * 10 + "y luego se descuenta del sueldo de tu primer mes de trabajo")
    assert all(len(i.evidence) <= 130 for i in r.indicators)
