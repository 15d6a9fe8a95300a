"""Texts of the demo forums, meetings and committees (plain data, read by app/demo/events.py).

DEMO CONTENT: people, figures, exchanges and decisions are invented for the Maillage
demonstration. Minutes are format strings: {date}, {place}, {facilitator}, {present},
{excused} and {next_forum} are filled in by the loader.

Owners of actions and members are designated by full name: the loader finds them among the
demo accounts (app/demo/__init__.py, app/demo/training.py, ELECTED below) and the partner
contacts of the network's directory (app/demo/__init__.py PARTNERS, EXTRA_PARTNERS below).
Due dates are day offsets from the day the demo is loaded.
"""

from __future__ import annotations

DEMO_NOTE = "Contenu de démonstration : participants, échanges et décisions sont fictifs."
MINUTES_NOTE = "*Compte rendu de démonstration : personnes, chiffres et échanges sont fictifs.*"

COORDINATOR = "Nolwenn Le Bihan"

# --------------------------------------------------------------------------- people

# Partner organisations that join the directory for the forums: (name, kind, town, contacts).
EXTRA_PARTNERS = (
    ("Mission locale de Saint-Brieuc", "emploi", "Saint-Brieuc",
     (("Brieuc Le Saux", "Conseiller insertion, référent métiers du soin et de l’enfance"),)),
    ("Mutualité Française Bretagne – crèches mutualistes", "creche", "Lannion",
     (("Nathalie Jégou", "Coordinatrice des crèches mutualistes du Trégor"),)),
    ("UDAF des Côtes-d’Armor", "association", "Saint-Brieuc",
     (("Yvon Le Dantec", "Administrateur, délégué à la petite enfance"),)),
)

# Elected officials created for the demo (accounts, password of the demo):
# (e-mail local part, full name, tenant slug prefix, INSEE code of the commune, mandate).
ELECTED = (
    ("elue.plerin", "Martine Le Hénaff", "saint-brieuc-armor", "22187",
     "adjointe à la petite enfance de Plérin"),
    ("elu.ploufragan", "Jean-Yves Le Calvez", "saint-brieuc-armor", "22215",
     "conseiller municipal délégué à l’enfance de Ploufragan"),
    ("elue.tregueux", "Christelle Boscher", "saint-brieuc-armor", "22360",
     "adjointe aux affaires scolaires et à la petite enfance de Trégueux"),
    ("elue.pordic", "Sandrine Le Bars", "saint-brieuc-armor", "22251",
     "adjointe aux solidarités de Pordic"),
    ("elu.quintin", "Thierry Le Gac", "saint-brieuc-armor", "22262",
     "adjoint à l’enfance et à la jeunesse de Quintin"),
    ("elue.lannion", "Annaïg Le Quellec", "lannion-tregor", "22113",
     "adjointe à la petite enfance de Lannion"),
    ("elu.perros-guirec", "Loïc Le Foll", "lannion-tregor", "22168",
     "adjoint aux affaires sociales de Perros-Guirec"),
    ("elue.lamballe", "Françoise Méheut", "lamballe", "22093",
     "adjointe à la petite enfance de Lamballe-Armor"),
    ("elu.moncontour", "Bernard Tréhorel", "lamballe", "22153", "maire de Moncontour"),
)

RELAIS = ("RPE Baie de Saint-Brieuc", "RPE Lannion – Vallée du Léguer", "RPE Lamballe-Armor",
          "RPE Côte de Granit Rose", "RPE itinérant du Pays de Quintin",
          "RPE Côte de Penthièvre")

# --------------------------------------------------------------------------- forums

FORUM_DESCRIPTION = (
    "Rencontre semestrielle des partenaires petite enfance des trois agglomérations du "
    "réseau : actualités, chiffres de l’offre d’accueil, projets communs et suivi des "
    "décisions. Les familles n’y sont pas reçues : aucune place d’accueil n’y est attribuée.")

PAST_FORUM = dict(
    place="Hôtel de ville de Saint-Brieuc, salle du conseil municipal, 22000 Saint-Brieuc",
    hours=((9, 0), (12, 30)),
    agenda=(
        ("Accueil et tour de table", "Nolwenn Le Bihan (CAF des Côtes-d’Armor)", 15),
        ("Le service public de la petite enfance : ce qui change pour les communes",
         "Marc Jaouen (DREETS Bretagne)", 40),
        ("L’offre d’accueil dans les Côtes-d’Armor : les chiffres de l’observatoire",
         "Anne-Laure Kerhervé (CAF des Côtes-d’Armor)", 30),
        ("Accueillir un enfant en situation de handicap : les appuis existants",
         "Hélène Cadiou (PMI)", 30),
        ("Attractivité des métiers de l’accueil individuel",
         "Julien Le Moal (France Travail) et Morgane Le Corre (Ti Bugale)", 40),
        ("Questions diverses et prochaine rencontre", "Nolwenn Le Bihan", 15),
    ),
)

NEXT_FORUM = dict(
    place="Pôle enfance, salle 1, 9 allée des Haras, 22400 Lamballe-Armor",
    remote_link="https://visio.demo.maillage.fr/forum-partenaires-22",
    hours=((9, 0), (12, 30)),
    agenda=(
        ("Accueil", "Nolwenn Le Bihan (CAF des Côtes-d’Armor)", 10),
        ("Suivi des décisions du dernier forum", "Nolwenn Le Bihan", 20),
        ("Schéma départemental des services aux familles : bilan à mi-parcours",
         "Pierre Le Roux (CAF des Côtes-d’Armor)", 40),
        ("Le pôle ressources handicap se présente", "Hélène Cadiou (PMI)", 30),
        ("Travaux du collectif petite enfance : la charte d’accueil des familles",
         "Soizic Le Goff (RPE Baie de Saint-Brieuc)", 20),
        ("Atelier : accueillir les familles qui arrivent sur le territoire",
         "tous les participants", 45),
    ),
)

# Who is invited to the past forum (partner contacts, relais, accounts; by full name or relais
# name) and what happened: y = answered yes and came, Y = yes but absent, n = no, m = maybe
# and came, M = maybe and absent, - = no answer and absent, + = no answer but came anyway.
PAST_FORUM_INVITED = (
    ("Anne-Laure Kerhervé", "y"), ("Pierre Le Roux", "y"), ("Catherine Guillou", "n"),
    ("Hélène Cadiou", "y"), ("Sophie Le Floch", "m"), ("Marc Jaouen", "y"),
    ("Isabelle Hamon", "-"), ("Julien Le Moal", "y"), ("Morgane Le Corre", "y"),
    ("Laëtitia Briand", "Y"), ("Brieuc Le Saux", "y"), ("Nathalie Jégou", "y"),
    ("Yvon Le Dantec", "y"),
    ("RPE Baie de Saint-Brieuc", "y"), ("RPE Lannion – Vallée du Léguer", "y"),
    ("RPE Lamballe-Armor", "M"), ("RPE Côte de Granit Rose", "y"),
    ("RPE itinérant du Pays de Quintin", "+"),
    ("Yann Guézennec", "y"), ("Gaëlle Morvan", "y"), ("Soizic Le Goff", "y"),
    ("Maëlle Rolland", "n"), ("Martine Le Hénaff", "y"), ("Françoise Méheut", "Y"),
    ("Rozenn Le Meur", "-"),
)
PAST_FORUM_COMMENTS = {
    "n": ("Formation départementale le même jour, désolée ; je lirai le compte rendu.",
          "Permanence d’accueil du public ce matin-là, je ne peux pas me libérer."),
    "m": ("Je viendrai si la réunion de service est déplacée.",),
}
# The forum to come: who is invited, who answered what (response, party size, comment);
# the others have not answered yet.
NEXT_FORUM_INVITED = (
    "Anne-Laure Kerhervé", "Pierre Le Roux", "Catherine Guillou", "Hélène Cadiou",
    "Sophie Le Floch", "Marc Jaouen", "Isabelle Hamon", "Julien Le Moal", "Morgane Le Corre",
    "Laëtitia Briand", "Nathalie Jégou",
    "RPE Baie de Saint-Brieuc", "RPE Lannion – Vallée du Léguer", "RPE Lamballe-Armor",
    "RPE Côte de Granit Rose", "RPE itinérant du Pays de Quintin", "RPE Côte de Penthièvre",
    "Yann Guézennec", "Gaëlle Morvan", "Soizic Le Goff",
)
NEXT_FORUM_ANSWERS = {
    "Anne-Laure Kerhervé": ("yes", 1, ""),
    "Pierre Le Roux": ("yes", 2, "Je viendrai avec la chargée d’études de l’observatoire."),
    "Hélène Cadiou": ("yes", 1, ""),
    "Marc Jaouen": ("maybe", 1, "Je suivrai sans doute la matinée à distance."),
    "Isabelle Hamon": ("no", 1, "Conseil d’école ce jour-là ; je transmets l’invitation à "
                                "une collègue de la circonscription."),
    "Morgane Le Corre": ("yes", 3, "Nous viendrons à trois assistantes maternelles de "
                                   "l’association."),
    "Laëtitia Briand": ("no", 1, "Remplacements dans l’équipe ce matin-là : impossible de "
                                 "me libérer."),
    "RPE Baie de Saint-Brieuc": ("yes", 2, "Nous viendrons à deux animatrices."),
    "RPE Lamballe-Armor": ("maybe", 1, ""),
    "Yann Guézennec": ("yes", 1, ""),
}

PAST_FORUM_MINUTES = """\
## Forum des partenaires petite enfance — compte rendu

- **Date :** {date}
- **Lieu :** {place}
- **Animation :** Nolwenn Le Bihan, coordinatrice du réseau (CAF des Côtes-d’Armor)
- **Participants :** {present} personnes présentes, {excused} excusées (liste dans Maillage).

### 1. Accueil et tour de table

Nolwenn Le Bihan rappelle l’objet du forum : partager l’information entre les partenaires \
de la petite enfance des trois agglomérations et suivre, d’une rencontre à l’autre, les \
décisions prises ensemble. Trois structures participent pour la première fois : la Mission \
locale, l’UDAF et les crèches mutualistes du Trégor.

### 2. Le service public de la petite enfance

Marc Jaouen (DREETS Bretagne) présente les compétences des communes : recenser les besoins, \
informer les familles, planifier l’offre d’accueil et soutenir sa qualité. Les élus présents \
demandent un outil simple pour le recensement ; la CAF proposera un modèle commun aux trois \
territoires.

### 3. L’offre d’accueil dans les Côtes-d’Armor

Anne-Laure Kerhervé (CAF) présente les chiffres de l’observatoire départemental :

- environ 4 100 assistantes maternelles agréées, dont près d’une sur dix a plus de 60 ans ;
- 62 établissements d’accueil du jeune enfant, dont 24 micro-crèches ;
- de forts écarts de couverture entre le littoral et le centre du département.

Les relais constatent que les familles s’adressent d’abord à la mairie. L’accueil en mairie \
doit pouvoir orienter vers le relais sans promettre de place : la fiche commune sur les \
demandes de place en crèche sera diffusée à toutes les mairies.

### 4. Accueillir un enfant en situation de handicap

Hélène Cadiou (PMI) rappelle les appuis existants : le pôle ressources handicap, le bonus \
inclusion handicap pour les établissements et l’accompagnement des assistantes maternelles \
par les puéricultrices de PMI. Plusieurs relais disent manquer de repères pour orienter les \
familles ; un groupe de travail est proposé.

### 5. Attractivité des métiers de l’accueil individuel

Julien Le Moal (France Travail) et Morgane Le Corre (association Ti Bugale) présentent les \
départs en retraite attendus d’ici cinq ans. Les personnes en reconversion connaissent mal \
le métier : une réunion d’information commune est proposée, avec des témoignages \
d’assistantes maternelles.

### 6. Questions diverses

- Les supports des interventions sont disponibles auprès de la coordination.
- Le prochain forum aura lieu le {next_forum} à Lamballe-Armor ; il pourra être suivi à \
distance.

### Relevé de décisions

1. Un tableau partagé des places disponibles sera tenu par territoire.
2. Une réunion d’information sur le métier d’assistant·e maternel·le sera organisée avec \
France Travail.
3. La fiche « Demande de place en crèche » sera diffusée à toutes les mairies.
4. Un groupe de travail « handicap » réunira la PMI et les relais volontaires.

Les responsables et les échéances sont suivis dans le tableau des décisions.

""" + MINUTES_NOTE + "\n"

# The first saved version differed from the published one by these passages (new, old).
PAST_FORUM_DRAFT_CHANGES = (
    ("par les puéricultrices de PMI. Plusieurs relais disent manquer de repères pour orienter "
     "les familles ; un groupe de travail est proposé.",
     "par la PMI. *(Paragraphe à compléter par la PMI.)*"),
    ("environ 4 100 assistantes maternelles agréées", "environ 4 000 assistantes maternelles"),
    ("4. Un groupe de travail « handicap » réunira la PMI et les relais volontaires.\n", ""),
)
PAST_FORUM_REVISION_NOTES = ("Première version, envoyée à la PMI pour relecture",
                             "Compléments de la PMI et chiffres corrigés")

# Decisions: (title, details, actions); an action: (title, owner full name, due offset in
# days from today, status).
PAST_FORUM_DECISIONS = (
    ("Tenir un tableau partagé des places d’accueil disponibles, par territoire",
     "Assistantes maternelles et établissements ; mis à jour chaque mois par les relais, "
     "consolidé par la CAF.",
     (("Proposer un modèle de tableau commun aux trois territoires", "Anne-Laure Kerhervé",
       -35, "done"),
      ("Recueillir les disponibilités des relais de Saint-Brieuc Armor", "Soizic Le Goff",
       -12, "done"),
      ("Recueillir les disponibilités des relais de Lannion-Trégor", "Gaëlle Morvan", -10,
       "in_progress"))),
    ("Organiser une réunion d’information sur le métier d’assistant·e maternel·le avec "
     "France Travail",
     "Pour les personnes en reconversion, avec des témoignages d’assistantes maternelles.",
     (("Fixer la date et réserver une salle à Lamballe-Armor", "Julien Le Moal", -14, "todo"),
      ("Réunir trois témoignages d’assistantes maternelles", "Morgane Le Corre", 20,
       "todo"))),
    ("Diffuser à toutes les mairies la fiche « Demande de place en crèche »",
     "La fiche dit ce que l’accueil en mairie peut faire, et ce qu’il ne peut pas promettre.",
     (("Envoyer la fiche aux mairies des trois territoires avec un mot d’accompagnement",
       COORDINATOR, -40, "done"),)),
    ("Créer un groupe de travail « accueil de l’enfant en situation de handicap »",
     "PMI et relais volontaires ; premier point au prochain forum.",
     (("Recenser les relais volontaires et leurs besoins", "Hélène Cadiou", 12,
       "in_progress"),
      ("Inviter le pôle ressources handicap au prochain forum", COORDINATOR, -20, "done"))),
)

# --------------------------------------------------------------------------- round table

TABLE_RONDE = dict(
    title="Table ronde des élus : l’accueil du jeune enfant dans nos communes",
    description=("Échanger entre élus de l’agglomération sur les besoins d’accueil des "
                 "familles, le rôle des mairies et des relais, et les projets de chaque "
                 "commune. Choisissez les dates qui vous conviennent : la date retenue sera "
                 "celle qui réunit le plus d’élus."),
    place=("Siège de Saint-Brieuc Armor Agglomération, salle du conseil communautaire, "
           "22000 Saint-Brieuc"),
    hours=((18, 0), (20, 0)),
    option_days=(15, 22, 29),
    agenda=(
        ("Les besoins d’accueil des familles dans l’agglomération", "Yann Guézennec", 30),
        ("Ce que l’accueil en mairie peut faire (et ne peut pas promettre)",
         "Soizic Le Goff (RPE Baie de Saint-Brieuc)", 30),
        ("Tour de table des projets communaux", "les élus présents", 60),
    ),
)
# Who is asked to pick dates (full names or relais), and their ticks for the 3 dates
# (None: has not answered yet).
TABLE_RONDE_VOTES = {
    "Martine Le Hénaff": (True, False, True),
    "Jean-Yves Le Calvez": (True, True, False),
    "Christelle Boscher": (False, True, True),
    "Sandrine Le Bars": (True, True, True),
    "Thierry Le Gac": None,
    "Soizic Le Goff": (True, False, True),
    "Anne-Laure Kerhervé": None,
    "RPE Baie de Saint-Brieuc": None,
}

# --------------------------------------------------------------------------- committees

COLLECTIF = dict(
    name="Collectif petite enfance des Côtes-d’Armor",
    kind="collectif",
    purpose=("Réunir les animatrices et animateurs des relais, les partenaires et la CAF pour "
             "partager les pratiques et porter des projets communs aux trois territoires. "
             "Deux co-pilotes ; l’animation des réunions change à chaque fois."),
    usual_place="Tour à tour à Saint-Brieuc, Lannion et Lamballe-Armor",
    accepts_requests=False,
    # (full name, position, represents)
    members=(
        (COORDINATOR, "copilote", "CAF des Côtes-d’Armor"),
        ("Soizic Le Goff", "copilote", "RPE Baie de Saint-Brieuc"),
        ("Gwendoline Prigent", "membre", "Relais de Lannion-Trégor Communauté"),
        ("Sterenn Hervé", "membre", "Relais de Lamballe Terre et Mer"),
        ("Rozenn Le Meur", "membre", "Relais de Saint-Brieuc Armor Agglomération"),
        ("Yann Guézennec", "membre", "Service petite enfance, Saint-Brieuc Armor Agglomération"),
        ("Gaëlle Morvan", "membre", "Service petite enfance, Lannion-Trégor Communauté"),
        ("Morgane Le Corre", "membre", "Association Ti Bugale (assistantes maternelles)"),
        ("Laëtitia Briand", "membre", "Micro-crèche Les Lutins du Goëlo"),
        ("Hélène Cadiou", "invite", "PMI – Conseil départemental des Côtes-d’Armor"),
    ),
    meetings=(
        dict(days=-70, hours=((14, 0), (16, 30)), facilitator="Gwendoline Prigent",
             place="Espace Sainte-Anne, 4 rue des Chardons, 22300 Lannion",
             agenda=(("Actualités des relais", "tour de table", 30),
                     ("Horaires des permanences téléphoniques", "Soizic Le Goff", 30),
                     ("Charte d’accueil des familles : premières idées",
                      "Gwendoline Prigent", 45),
                     ("Date et lieu de la prochaine réunion", "", 10)),
             absent=("Laëtitia Briand", "Yann Guézennec"),
             minutes="""\
## Collectif petite enfance — réunion du {date}

- **Lieu :** {place}
- **Animation :** {facilitator}
- **Présents :** {present}

### Actualités des relais

Le relais de la Côte de Granit Rose signale une forte demande d’accueil en horaires \
décalés pendant la saison touristique. Le relais de Lamballe-Armor accueille une nouvelle \
animatrice.

### Permanences téléphoniques

Les horaires varient beaucoup d’un relais à l’autre et les mairies ont du mal à orienter \
les familles. Le collectif retient un socle commun : une permanence le lundi et le jeudi \
après-midi dans chaque relais.

### Charte d’accueil des familles

Le collectif souhaite une charte courte, commune aux relais, qui dise ce que le relais fait \
et ne fait pas : il informe et accompagne, il n’attribue pas de place. Gwendoline Prigent \
en propose une première version.

### Décisions

1. Socle commun de permanences téléphoniques le lundi et le jeudi après-midi.
2. Rédaction d’une charte d’accueil des familles commune aux relais.

""" + MINUTES_NOTE + "\n",
             decisions=(
                 ("Harmoniser les permanences téléphoniques des relais : lundi et jeudi "
                  "après-midi au minimum", "",
                  (("Mettre à jour les horaires sur les fiches des relais", "Soizic Le Goff",
                    -50, "done"),)),
                 ("Rédiger une charte d’accueil des familles commune aux relais",
                  "Une page, relue par les assistantes maternelles avant validation.",
                  (("Proposer une première version de la charte", "Gwendoline Prigent", -12,
                    "in_progress"),
                   ("Relire la charte avec les assistantes maternelles de l’association",
                    "Morgane Le Corre", 25, "todo"))),
             )),
        dict(days=-28, hours=((14, 0), (16, 30)), facilitator="Sterenn Hervé",
             place="Pôle enfance, salle 2, 9 allée des Haras, 22400 Lamballe-Armor",
             agenda=(("Suivi des actions", COORDINATOR, 15),
                     ("Besoins de formation des assistantes maternelles", "Sterenn Hervé", 45),
                     ("Préparation du forum des partenaires", "Soizic Le Goff", 30)),
             absent=("Gaëlle Morvan",),
             minutes="""\
## Collectif petite enfance — réunion du {date}

- **Lieu :** {place}
- **Animation :** {facilitator}
- **Présents :** {present}

### Suivi des actions

Les horaires communs de permanence sont en place dans tous les relais. La charte d’accueil \
des familles est en cours d’écriture ; une version sera présentée à la prochaine réunion.

### Besoins de formation des assistantes maternelles

Les relais reçoivent des demandes très diverses (premiers secours, accueil d’un enfant \
en situation de handicap, numérique). Plutôt que de deviner, le collectif interrogera \
directement les assistantes maternelles par un court questionnaire.

### Forum des partenaires

Le collectif présentera ses travaux au prochain forum, en dix minutes, à partir de la \
charte d’accueil des familles.

### Décisions

1. Questionnaire sur les besoins de formation des assistantes maternelles.
2. Présentation des travaux du collectif au prochain forum des partenaires.

""" + MINUTES_NOTE + "\n",
             decisions=(
                 ("Lancer un questionnaire sur les besoins de formation des assistantes "
                  "maternelles", "Dix questions au plus, diffusé par les relais.",
                  (("Préparer le questionnaire en ligne", "Sterenn Hervé", -4, "todo"),
                   ("Diffuser le questionnaire par les relais", "Rozenn Le Meur", 14,
                    "todo"))),
                 ("Présenter les travaux du collectif au prochain forum des partenaires", "",
                  (("Préparer un support de dix minutes", COORDINATOR, 15, "todo"),)),
             )),
        dict(days=17, hours=((14, 0), (16, 30)), facilitator="Rozenn Le Meur",
             place="Maison de la petite enfance, 12 rue des Lilas, 22000 Saint-Brieuc",
             remote_link="https://visio.demo.maillage.fr/collectif-22",
             agenda=(("Suivi des actions", COORDINATOR, 15),
                     ("Charte d’accueil des familles : version à valider",
                      "Gwendoline Prigent", 45),
                     ("Questionnaire formation : premiers retours", "Sterenn Hervé", 30),
                     ("Qui anime la prochaine réunion ?", "", 5)),
             answers={COORDINATOR: ("yes", ""), "Soizic Le Goff": ("yes", ""),
                      "Gwendoline Prigent": ("yes", "Je présenterai la charte."),
                      "Morgane Le Corre": ("maybe", "Selon mes enfants accueillis ce jour-là."),
                      "Laëtitia Briand": ("no", "Réunion d’équipe à la crèche, désolée.")}),
    ),
)

ASSOCIATION = dict(
    name="Association des élus du réseau petite enfance",
    kind="association_elus",
    purpose=("Les élus chargés de la petite enfance des trois agglomérations se retrouvent "
             "quatre fois par an, chaque fois dans une mairie différente, avec la CAF et le "
             "Département. Tout élu d’une commune membre peut demander à la rejoindre."),
    usual_place="Une mairie différente à chaque assemblée",
    accepts_requests=True,
    members=(
        ("Martine Le Hénaff", "president", "Plérin — Saint-Brieuc Armor Agglomération"),
        ("Annaïg Le Quellec", "copilote", "Lannion — Lannion-Trégor Communauté"),
        ("Françoise Méheut", "copilote", "Lamballe-Armor — Lamballe Terre et Mer"),
        ("Jean-Yves Le Calvez", "membre", "Ploufragan — Saint-Brieuc Armor Agglomération"),
        ("Christelle Boscher", "membre", "Trégueux — Saint-Brieuc Armor Agglomération"),
        ("Loïc Le Foll", "membre", "Perros-Guirec — Lannion-Trégor Communauté"),
        ("Bernard Tréhorel", "membre", "Moncontour — Lamballe Terre et Mer"),
        ("Anne-Laure Kerhervé", "invite", "CAF des Côtes-d’Armor"),
        ("Sophie Le Floch", "invite", "PMI – Conseil départemental des Côtes-d’Armor"),
    ),
    # Bernard Tréhorel asked to join (accepted by the coordinator) this many days ago.
    joined=("Bernard Tréhorel", -80,
            "Bonjour, je souhaite rejoindre l’association pour représenter Moncontour et les "
            "petites communes de Lamballe Terre et Mer."),
    meetings=(
        dict(days=-45, hours=((18, 0), (20, 0)), facilitator="Martine Le Hénaff",
             place="Mairie de Perros-Guirec, salle du conseil municipal, 22700 Perros-Guirec",
             agenda=(("Accueil par Loïc Le Foll, adjoint au maire de Perros-Guirec",
                      "Loïc Le Foll", 10),
                     ("Le service public de la petite enfance : où en sont nos communes ?",
                      "Anne-Laure Kerhervé (CAF)", 40),
                     ("Financement des relais itinérants : une position commune",
                      "Martine Le Hénaff", 30),
                     ("Des locaux communaux pour des maisons d’assistants maternels",
                      "Françoise Méheut", 30)),
             absent=("Christelle Boscher",),
             minutes="""\
## Association des élus — assemblée du {date}

- **Lieu :** {place}
- **Présidence de séance :** {facilitator}
- **Présents :** {present}

Loïc Le Foll accueille l’assemblée à Perros-Guirec et présente le projet de micro-crèche \
de la commune.

### Le service public de la petite enfance

Anne-Laure Kerhervé (CAF) rappelle ce que la loi confie aux communes et les aides de la \
CAF pour le recensement des besoins. Les petites communes craignent de ne pas avoir les \
moyens de ce recensement : l’association demande un appui mutualisé au niveau des \
agglomérations.

### Financement des relais itinérants

Les relais itinérants coûtent plus cher (déplacements, matériel) et couvrent les communes \
rurales. Les élus adoptent une position commune, qui sera adressée à la CAF.

### Locaux pour des maisons d’assistants maternels

Plusieurs communes disposent de locaux vacants. Un recensement permettra de les proposer \
aux assistantes maternelles qui souhaitent se regrouper.

### Décisions

1. Courrier commun à la CAF sur le financement des relais itinérants.
2. Recensement des locaux communaux disponibles pour des MAM.
3. Prochaine assemblée à Moncontour.

""" + MINUTES_NOTE + "\n",
             decisions=(
                 ("Adresser à la CAF une position commune sur le financement des relais "
                  "itinérants", "Signée par la présidente et les deux co-pilotes.",
                  (("Rédiger le courrier au nom de l’association", "Martine Le Hénaff", 10,
                    "in_progress"),)),
                 ("Recenser les locaux communaux pouvant accueillir une maison d’assistants "
                  "maternels", "",
                  (("Interroger les mairies de Lamballe Terre et Mer", "Françoise Méheut", -6,
                    "todo"),
                   ("Faire le point pour Lannion-Trégor Communauté", "Annaïg Le Quellec", -2,
                    "done"))),
                 ("Tenir la prochaine assemblée à la mairie de Moncontour", "", ()),
             )),
        dict(days=24, hours=((18, 0), (20, 0)), facilitator="Annaïg Le Quellec",
             place="Mairie de Moncontour, salle du conseil municipal, 22510 Moncontour",
             agenda=(("Accueil par Bernard Tréhorel, maire de Moncontour", "Bernard Tréhorel",
                      10),
                     ("Locaux pour des MAM : résultats du recensement", "Françoise Méheut", 30),
                     ("Financement des relais itinérants : la réponse de la CAF",
                      "Anne-Laure Kerhervé (CAF)", 30),
                     ("Calendrier des assemblées de l’année prochaine", "Annaïg Le Quellec",
                      15)),
             answers={"Martine Le Hénaff": ("yes", ""), "Bernard Tréhorel": ("yes", ""),
                      "Loïc Le Foll": ("no", "Conseil municipal le même soir."),
                      "Anne-Laure Kerhervé": ("yes", "")}),
    ),
)
