"""Demo fiches for Maillage (French early-childhood answer sheets).

DEMO CONTENT: written for the Maillage demonstration from public, general knowledge of
French early-childhood services. Every text must be checked before any real use; amounts
and rules change (see DEMO_NOTICE). Plain data only: the seeding code reads these lists.

Placeholders resolved per commune by the product: {relais.nom}, {relais.telephone},
{relais.email}, {relais.horaires}, {relais.adresse}, {commune.nom}, {mairie.horaires},
{mairie.telephone}.
"""

from __future__ import annotations

DEMO_NOTICE = "Contenu de démonstration rédigé pour Maillage : à vérifier avant tout usage réel."

THEMES = [
    {"slug": "modes-accueil", "name": "Modes d’accueil"},
    {"slug": "inscription-creche", "name": "Inscription en crèche"},
    {"slug": "parent-employeur", "name": "Parent employeur"},
    {"slug": "aides-financieres", "name": "Aides financières"},
    {"slug": "sante-pmi", "name": "Santé et PMI"},
    {"slug": "parentalite", "name": "Parentalité"},
    {"slug": "emploi-insertion", "name": "Emploi et insertion"},
]

NETWORK_FICHES = [
    # 1 ------------------------------------------------------------------------------------
    {
        "slug": "trouver-assistant-maternel",
        "theme": "modes-accueil",
        "title": "Trouver un·e assistant·e maternel·le",
        "audiences": ["reception_agent", "rpe_animator"],
        "first_answer": (
            "Le {relais.nom} tient à jour la liste des assistant·e·s maternel·le·s agréé·e·s "
            "de {commune.nom} et leurs places disponibles. Vous pouvez le joindre au "
            "{relais.telephone}, {relais.horaires}. La liste se consulte aussi en ligne sur "
            "monenfant.fr, en cherchant par commune."
        ),
        "previous_first_answer": (
            "Le {relais.nom} tient à jour la liste des assistant·e·s maternel·le·s agréé·e·s "
            "de {commune.nom} et leurs places disponibles. Vous pouvez le joindre au "
            "{relais.telephone}. La mairie peut aussi vous remettre la liste papier de "
            "l’année."
        ),
        "details_md": """\
## Ce que fait le relais
- Il donne la liste des professionnel·le·s agréé·e·s du secteur, avec les places qu’ils et elles ont déclarées libres.
- Il explique le rôle de parent employeur et aide à préparer le premier rendez-vous.
- Il ne choisit pas l’assistant·e maternel·le à la place de la famille.

## Les étapes pour la famille
1. Appeler le relais ou chercher sur monenfant.fr.
2. Téléphoner à plusieurs professionnel·le·s : les disponibilités changent vite.
3. Rencontrer la personne chez elle, visiter les pièces où l’enfant sera accueilli, parler des horaires, des repas, du sommeil et des sorties.
4. Vérifier l’agrément délivré par la PMI du département : nombre d’enfants et âges autorisés.
5. Estimer le coût et l’aide de la CAF avec le simulateur de caf.fr avant de s’engager.

## Bon à savoir
- Un·e assistant·e maternel·le accueille en général jusqu’à quatre enfants, chez elle ou chez lui, ou dans une MAM.
- Les parents deviennent employeurs : voir les fiches « Pajemploi » et « Contrat de travail ».
- Il vaut mieux commencer à chercher trois à six mois avant la reprise du travail.

## À préparer avant d’appeler le relais
- La date de reprise et les jours et horaires souhaités.
- Le secteur recherché : près du domicile ou près du travail.
""",
        "phrasings": [
            "je cherche une assistante maternelle",
            "vous avez la liste des nounous ?",
            "comment trouver une nounou agréée",
            "ou trouver les assistantes maternelles de la commune",
            "il y a des assistantes maternelles disponibles pres de chez moi ?",
            "je reprends le travail, qui peut garder mon bébé ?",
            "liste des assmat",
        ],
        "referrals": [
            {"kind": "relais", "label": "Le relais petite enfance qui couvre la commune"},
            {"kind": "caf", "label": "La CAF (monenfant.fr, rubrique Trouver un mode d’accueil)"},
            {"kind": "pmi", "label": "Le service PMI du département (agréments des assistant·e·s maternel·le·s)"},
        ],
        "cannot_do": (
            "La mairie ne choisit pas l’assistant·e maternel·le, ne garantit pas qu’une place est "
            "libre et ne délivre pas l’agrément (c’est la PMI du département)."
        ),
        "sources": [
            "monenfant.fr — recherche d’un mode d’accueil",
            "service-public.fr — Assistant maternel : recrutement par un particulier",
            "caf.fr — Simulateur mode de garde",
        ],
        "review_months": 6,
        "revisions": [
            "Création de la fiche",
            "Ajout du renvoi vers monenfant.fr",
            "Mise à jour des horaires du relais dans la réponse",
        ],
    },
    # 2 ------------------------------------------------------------------------------------
    {
        "slug": "demande-place-creche",
        "theme": "inscription-creche",
        "title": "Demander une place en crèche",
        "audiences": ["reception_agent", "rpe_animator"],
        "first_answer": (
            "La mairie n’attribue pas les places en crèche : chaque gestionnaire a sa commission "
            "d’attribution. Le {relais.nom} vous indique les crèches du secteur et comment "
            "déposer une demande ({relais.telephone}). Cherchez en même temps une autre "
            "solution, par exemple un·e assistant·e maternel·le."
        ),
        "previous_first_answer": (
            "La mairie n’attribue pas les places en crèche : chaque gestionnaire a sa commission "
            "d’attribution. Le {relais.nom} vous indique les crèches du secteur et comment "
            "déposer une demande ({relais.telephone})."
        ),
        "details_md": """\
## Comment ça se passe
- Les crèches, ou établissements d’accueil du jeune enfant (EAJE), sont gérées par une commune, une intercommunalité, une association ou une entreprise.
- La famille dépose une demande auprès du gestionnaire, souvent dès le sixième mois de grossesse.
- Une commission d’attribution étudie les demandes selon des critères rendus publics : date de la demande, domicile, situation familiale et professionnelle, âge de l’enfant.
- Elle se réunit en général une à trois fois par an. La réponse arrive par courrier ou par courriel.
- Sans place, la demande doit souvent être confirmée régulièrement pour rester active.

## Documents souvent demandés
- Justificatif de domicile récent.
- Livret de famille, acte de naissance ou déclaration de grossesse.
- Numéro d’allocataire CAF ou MSA, sinon le dernier avis d’imposition.
- Justificatif de situation : contrat de travail, formation, inscription à France Travail.

## Le coût
- Dans les crèches financées par la CAF, le tarif horaire dépend des revenus et du nombre d’enfants (barème national). Les repas et les couches sont en principe fournis.
- Dans une micro-crèche au tarif libre, la famille paie le prix fixé par la structure et peut demander le CMG.

## Autres pistes à citer
- L’accueil occasionnel (quelques demi-journées par semaine).
- Les places d’urgence et les crèches AVIP, quand elles existent.
""",
        "phrasings": [
            "je voudrais inscrire mon bébé à la crèche",
            "comment avoir une place en crèche ?",
            "c'est vous qui donnez les places de creche ?",
            "inscription creche",
            "ma demande de crèche, ça en est où ?",
            "il faut s'inscrire quand pour la creche",
            "préinscription multi-accueil",
        ],
        "referrals": [
            {"kind": "relais", "label": "Le relais petite enfance (liste des crèches et modalités de demande)"},
            {"kind": "caf", "label": "La CAF (caf.fr et monenfant.fr, rubrique Trouver un mode d’accueil)"},
            {"kind": "organisation", "label": "Le service petite enfance gestionnaire de la crèche", "organisation": "Service petite enfance de l’intercommunalité"},
        ],
        "cannot_do": (
            "La mairie n’attribue pas les places, ne connaît pas le rang d’une demande et ne "
            "peut pas accélérer une décision de la commission d’attribution."
        ),
        "sources": [
            "monenfant.fr — Les établissements d’accueil du jeune enfant",
            "caf.fr — Barème national des participations familiales",
            "service-public.fr — Crèche : modes de garde collectifs",
        ],
        "review_months": 6,
        "revisions": [
            "Création de la fiche",
            "Ajout d’une phrase sur la recherche d’une solution en parallèle",
        ],
    },
    # 3 ------------------------------------------------------------------------------------
    {
        "slug": "pajemploi-parent-employeur",
        "theme": "parent-employeur",
        "title": "Parent employeur : les démarches Pajemploi",
        "audiences": ["reception_agent", "rpe_animator"],
        "first_answer": (
            "Quand vous employez un·e assistant·e maternel·le ou une garde à domicile, vous "
            "devenez employeur. Vous demandez d’abord le complément de libre choix du mode de "
            "garde à la CAF ou à la MSA, puis vous déclarez chaque mois le salaire sur "
            "Pajemploi. Le {relais.nom} vous accompagne dans ces démarches : {relais.telephone}."
        ),
        "details_md": """\
## Les étapes dans l’ordre
1. Signer un contrat de travail écrit avec le ou la salarié·e (voir la fiche « Contrat de travail »).
2. Demander le complément de libre choix du mode de garde (CMG) sur caf.fr ou msa.fr. L’inscription à Pajemploi suit ensuite, sans autre démarche.
3. Chaque mois, déclarer sur pajemploi.urssaf.fr les heures, le salaire net et les indemnités (entretien, repas, déplacements).
4. Payer le salaire. Avec l’option Pajemploi+, l’Urssaf débite le compte du parent et verse le salaire : la part prise en charge par le CMG est déjà déduite.
5. Pajemploi produit le bulletin de salaire : le parent n’a pas à le rédiger.

## Ce que Pajemploi fait pour le parent
- Il calcule les cotisations sociales.
- Il applique la prise en charge des cotisations liée au CMG.
- Il fournit une attestation fiscale chaque année, utile pour le crédit d’impôt.

## Bon à savoir
- La déclaration se fait au début du mois suivant ; la date limite est indiquée sur pajemploi.urssaf.fr.
- Le parent est responsable des heures déclarées : garder un relevé des présences.
- En fin de contrat, il faut remettre les documents de fin de contrat (certificat de travail, attestation employeur pour France Travail, solde de tout compte).
- Pour les familles relevant de la MSA, les démarches CMG passent par la MSA.

## Où se faire aider
- Le relais propose des permanences ou des ateliers employeur.
- Le centre Pajemploi répond aux questions de déclaration.
""",
        "phrasings": [
            "comment je declare ma nounou",
            "c'est quoi pajemploi ?",
            "comment on paie l'assistante maternelle",
            "déclarer le salaire de la nourrice",
            "inscription pajemploi",
            "je deviens employeur de ma nounou, je fais quoi ?",
        ],
        "referrals": [
            {"kind": "relais", "label": "Le relais petite enfance (accompagnement des parents employeurs)"},
            {"kind": "caf", "label": "La CAF (caf.fr, rubrique Petite enfance > Complément de libre choix du mode de garde)"},
            {"kind": "organisation", "label": "Le centre national Pajemploi (pajemploi.urssaf.fr)", "organisation": "Urssaf — Pajemploi"},
            {"kind": "organisation", "label": "La MSA pour les familles relevant du régime agricole", "organisation": "MSA d’Armorique"},
        ],
        "cannot_do": (
            "La mairie ne fait pas les déclarations Pajemploi à la place du parent, ne calcule "
            "pas le salaire ni les cotisations, et n’a pas accès au compte de la famille."
        ),
        "sources": [
            "pajemploi.urssaf.fr — Le parent employeur",
            "caf.fr — Complément de libre choix du mode de garde",
            "service-public.fr — Emploi d’un assistant maternel : déclaration",
        ],
        "review_months": 12,
        "revisions": ["Création de la fiche"],
    },
    # 4 ------------------------------------------------------------------------------------
    {
        "slug": "conge-parental-prepare",
        "theme": "aides-financieres",
        "title": "Prendre un congé parental : la PreParE",
        "audiences": ["reception_agent", "rpe_animator"],
        "first_answer": (
            "Le congé parental permet d’arrêter ou de réduire son travail pour s’occuper de son "
            "enfant ; il faut prévenir l’employeur par écrit. Pendant ce temps, la CAF ou la MSA "
            "peut verser la prestation partagée d’éducation de l’enfant (PreParE). La demande se "
            "fait sur caf.fr ou msa.fr : la mairie ne peut pas calculer vos droits."
        ),
        "details_md": """\
## Deux choses à ne pas confondre
- Le congé parental d’éducation est un droit du ou de la salarié·e, à demander à l’employeur.
- La PreParE est une aide versée par la CAF ou la MSA quand un parent arrête ou réduit son activité. Elle concerne aussi, sous conditions, les indépendant·e·s et certaines personnes indemnisées par France Travail.

## Conditions principales
- Congé parental : avoir au moins un an d’ancienneté chez l’employeur à la naissance ou à l’arrivée de l’enfant adopté.
- PreParE : avoir cotisé un nombre minimum de trimestres dans les années précédentes ; ce nombre dépend du rang de l’enfant.
- Arrêt complet ou temps partiel : le montant n’est pas le même (montant indicatif, à vérifier sur caf.fr).

## Durée (repères)
- Premier enfant : jusqu’à six mois par parent, avant le premier anniversaire de l’enfant.
- À partir du deuxième enfant : jusqu’à deux ans par parent, dans la limite des trois ans de l’enfant. Pour aller jusqu’au bout, les deux parents doivent se partager la prestation.

## Démarches
1. Prévenir l’employeur par lettre recommandée ou remise contre reçu : un mois avant la fin du congé de maternité ou d’adoption, deux mois avant dans les autres cas.
2. Faire une simulation sur caf.fr avant de décider.
3. Demander la PreParE en ligne sur caf.fr ou msa.fr.

## Préparer la reprise
- Le {relais.nom} aide à anticiper le mode d’accueil de l’enfant à la fin du congé : {relais.telephone}.

## Attention
- Les congés liés à la naissance font l’objet d’une réforme annoncée : vérifier la règle en vigueur sur service-public.fr avant de répondre sur les durées.
""",
        "phrasings": [
            "je veux prendre un congé parental",
            "c'est quoi la prepare ?",
            "conge parental combien on touche",
            "je voudrais arrêter de travailler pour garder mon enfant",
            "est-ce que mon mari peut prendre le congé parental aussi ?",
            "aide caf si je passe à mi-temps pour mon bébé",
        ],
        "referrals": [
            {"kind": "caf", "label": "La CAF (caf.fr, rubrique Petite enfance > PreParE, simulateur)"},
            {"kind": "organisation", "label": "La MSA pour les salarié·e·s et exploitant·e·s agricoles", "organisation": "MSA d’Armorique"},
            {"kind": "relais", "label": "Le relais petite enfance, pour préparer le mode d’accueil à la reprise"},
        ],
        "cannot_do": (
            "La mairie ne calcule pas la PreParE, ne vérifie pas les droits au congé parental et "
            "ne fait pas de démarche auprès de l’employeur."
        ),
        "sources": [
            "caf.fr — Prestation partagée d’éducation de l’enfant",
            "service-public.fr — Congé parental d’éducation à temps plein",
            "service-public.fr — PreParE",
        ],
        "review_months": -1,
        "revisions": [
            "Création de la fiche",
            "Ajout d’une alerte sur la réforme des congés de naissance",
        ],
    },
    # 5 ------------------------------------------------------------------------------------
    {
        "slug": "micro-creche-et-mam",
        "theme": "modes-accueil",
        "title": "Micro-crèches et maisons d’assistants maternels (MAM)",
        "audiences": ["reception_agent", "rpe_animator"],
        "first_answer": (
            "Une micro-crèche accueille un petit groupe d’enfants avec une équipe salariée. Une "
            "maison d’assistants maternels (MAM) réunit plusieurs assistant·e·s maternel·le·s "
            "dans un même local. Le {relais.nom} connaît celles du secteur : {relais.telephone}. "
            "Le coût change selon la structure : faites une simulation sur caf.fr."
        ),
        "details_md": """\
## La micro-crèche
- Petite crèche de douze enfants au plus, encadrée par des professionnel·le·s salarié·e·s.
- Gérée par une commune, une association ou une entreprise.
- Deux modes de financement :
  - tarif selon les revenus, comme dans les autres crèches financées par la CAF ;
  - tarif horaire libre fixé par la structure : la famille demande alors le complément de libre choix du mode de garde (CMG) « structure ».
- L’inscription se fait directement auprès de la micro-crèche.

## La maison d’assistants maternels (MAM)
- Plusieurs assistant·e·s maternel·le·s agréé·e·s par la PMI (en général jusqu’à quatre) travaillent ensemble dans un local, hors de leur domicile.
- Chaque professionnel·le reste salarié·e des parents : contrat de travail, déclaration Pajemploi et CMG, comme à domicile.
- L’enfant a une professionnelle de référence. Les parents peuvent autoriser par écrit les collègues à s’en occuper aussi.
- Les places se demandent directement aux assistant·e·s maternel·le·s de la MAM.

## Questions à poser lors de la visite
- Horaires d’ouverture et périodes de fermeture.
- Prix horaire et ce qu’il comprend : repas, couches, sorties.
- Projet d’accueil : éveil, sommeil, adaptation.

## Bon à savoir
- Une micro-crèche au tarif libre peut coûter plus cher qu’une crèche classique, même après le CMG : toujours comparer avec le simulateur.
""",
        "phrasings": [
            "c'est quoi une MAM ?",
            "y a une micro creche dans le coin ?",
            "difference entre micro-crèche et crèche",
            "maison d'assistantes maternelles",
            "la micro-crèche c'est cher ?",
            "comment s'inscrire dans une mam",
        ],
        "referrals": [
            {"kind": "relais", "label": "Le relais petite enfance (liste des MAM et micro-crèches)"},
            {"kind": "caf", "label": "La CAF (caf.fr, simulateur et CMG « structure »)"},
            {"kind": "pmi", "label": "La PMI du département (agrément des MAM et autorisation des micro-crèches)"},
        ],
        "cannot_do": (
            "La mairie n’attribue pas les places en micro-crèche ou en MAM et ne peut pas dire "
            "quel sera le reste à charge de la famille."
        ),
        "sources": [
            "monenfant.fr — Micro-crèche et maison d’assistants maternels",
            "caf.fr — Complément de libre choix du mode de garde, structure",
            "service-public.fr — Maison d’assistants maternels (MAM)",
        ],
        "review_months": 9,
        "revisions": ["Création de la fiche"],
    },
    # 6 ------------------------------------------------------------------------------------
    {
        "slug": "garde-a-domicile-partagee",
        "theme": "modes-accueil",
        "title": "Garde à domicile et garde partagée",
        "audiences": ["reception_agent", "rpe_animator"],
        "first_answer": (
            "Avec la garde à domicile, une personne s’occupe de l’enfant chez vous. En garde "
            "partagée, deux familles emploient ensemble la même personne. Vous pouvez "
            "l’employer directement ou passer par une entreprise ou une association. Le "
            "{relais.nom} vous explique les démarches ({relais.telephone}) et la CAF peut verser "
            "une aide."
        ),
        "details_md": """\
## Trois façons d’organiser la garde
- **Emploi direct** : la famille recrute, signe le contrat et déclare le salaire sur Pajemploi si elle touche le CMG, sinon avec le Cesu.
- **Organisme mandataire** : une structure aide à recruter et gère les papiers, mais la famille reste employeur.
- **Organisme prestataire** : la structure emploie la personne ; la famille reçoit une facture.

## La garde partagée
- Deux familles se mettent d’accord sur les horaires, le lieu (souvent en alternance chez l’une puis chez l’autre) et le partage des frais.
- Chaque famille signe son propre contrat avec la même salariée et déclare ses heures.
- Une convention écrite entre les deux familles évite beaucoup de conflits.

## Coût et aides
- C’est souvent le mode d’accueil le plus cher pour une seule famille ; la garde partagée réduit la dépense.
- Aides possibles : CMG de la CAF ou de la MSA, et crédit d’impôt pour l’emploi à domicile. Montants indicatifs, à vérifier sur caf.fr et impots.gouv.fr.

## Bon à savoir
- Il n’y a pas d’agrément PMI pour la garde à domicile : les parents vérifient eux-mêmes l’expérience et les références.
- C’est une solution utile pour les horaires décalés ou pour plusieurs enfants.
- Le relais peut aider à trouver une autre famille pour partager la garde.
""",
        "phrasings": [
            "je voudrais une nounou à la maison",
            "comment faire une garde partagée",
            "garde a domicile avec une autre famille",
            "combien coute une nounou a domicile",
            "on cherche une famille pour partager une nounou",
            "passer par une agence de garde d'enfants",
        ],
        "referrals": [
            {"kind": "relais", "label": "Le relais petite enfance (démarches d’employeur, mise en relation)"},
            {"kind": "caf", "label": "La CAF (caf.fr, CMG garde à domicile)"},
            {"kind": "organisation", "label": "Pajemploi et Cesu pour la déclaration des salaires", "organisation": "Urssaf — Pajemploi"},
        ],
        "cannot_do": (
            "La mairie ne recrute pas de garde à domicile, ne recommande pas d’entreprise "
            "privée et ne calcule pas les aides ni le crédit d’impôt."
        ),
        "sources": [
            "caf.fr — Garde à domicile : complément de libre choix du mode de garde",
            "service-public.fr — Garde d’enfant à domicile",
            "pajemploi.urssaf.fr — Garde partagée",
        ],
        "review_months": 12,
        "revisions": ["Création de la fiche"],
    },
    # 7 ------------------------------------------------------------------------------------
    {
        "slug": "creche-avip",
        "theme": "emploi-insertion",
        "title": "Crèches AVIP : une place pour chercher un emploi",
        "audiences": ["reception_agent", "rpe_animator"],
        "first_answer": (
            "Les crèches à vocation d’insertion professionnelle (AVIP) gardent des places pour "
            "les parents de jeunes enfants qui cherchent un emploi ou une formation. En échange, "
            "le parent s’engage dans un accompagnement vers l’emploi, souvent avec France "
            "Travail. Le {relais.nom} ({relais.telephone}) ou votre conseiller·ère France Travail "
            "vous indique la crèche AVIP la plus proche."
        ),
        "details_md": """\
## Pour qui ?
- Les parents d’enfants de moins de trois ans qui cherchent un emploi ou préparent une formation.
- Chaque crèche précise ses publics prioritaires, par exemple les familles monoparentales ou les bénéficiaires du RSA.

## Comment ça marche
1. Le parent est orienté par France Travail, la mission locale, un·e travailleur·se social·e ou le relais.
2. La crèche propose un accueil régulier, souvent plusieurs jours par semaine, pour une période définie au départ.
3. Le parent signe un engagement : rendez-vous réguliers, démarches, ateliers.
4. Si le parent trouve un emploi ou entre en formation, l’accueil peut se poursuivre selon les règles de la crèche.

## Le coût
- Le même barème que les autres crèches financées par la CAF : le tarif dépend des revenus.

## À apporter au premier contact
- Une attestation d’inscription à France Travail ou un justificatif du parcours d’insertion.
- Un justificatif de domicile et le numéro d’allocataire CAF ou MSA.
- Le carnet de santé de l’enfant, avec les vaccinations à jour.

## Attention
- Les places AVIP sont peu nombreuses et toutes les communes n’en ont pas.
- Le label AVIP est délivré par la CAF ; la liste à jour est connue du relais et de France Travail.
""",
        "phrasings": [
            "je cherche du travail mais j'ai pas de garde pour mon enfant",
            "crèche pour demandeur d'emploi",
            "c'est quoi une creche avip",
            "france travail m'a parlé d'une crèche insertion",
            "comment faire garder mon bébé pour aller en formation",
            "je suis au RSA, est-ce que j'ai droit à la crèche ?",
        ],
        "referrals": [
            {"kind": "organisation", "label": "L’agence France Travail du secteur (orientation AVIP)", "organisation": "France Travail"},
            {"kind": "relais", "label": "Le relais petite enfance (liste des crèches AVIP)"},
            {"kind": "caf", "label": "La CAF (monenfant.fr, crèches à vocation d’insertion professionnelle)"},
        ],
        "cannot_do": (
            "La mairie n’attribue pas les places AVIP et ne valide pas le parcours vers l’emploi : "
            "ce sont la crèche et France Travail."
        ),
        "sources": [
            "caf.fr — Crèches à vocation d’insertion professionnelle",
            "francetravail.fr — Solutions de garde pour les parents en recherche d’emploi",
            "monenfant.fr",
        ],
        "review_months": 6,
        "revisions": ["Création de la fiche"],
    },
    # 8 ------------------------------------------------------------------------------------
    {
        "slug": "cmg-aide-mode-de-garde",
        "theme": "aides-financieres",
        "title": "Aide pour faire garder son enfant : le complément de libre choix du mode de garde (CMG)",
        "audiences": ["reception_agent", "rpe_animator"],
        "first_answer": (
            "La CAF ou la MSA peut payer une partie du coût d’un·e assistant·e maternel·le, d’une "
            "garde à domicile ou d’une micro-crèche : c’est le complément de libre choix du mode "
            "de garde (CMG). Le montant dépend de vos revenus, du nombre d’enfants et des heures "
            "de garde. Faites une simulation sur caf.fr avant de signer : la mairie ne peut pas "
            "calculer cette aide."
        ),
        "previous_first_answer": (
            "La CAF ou la MSA peut payer une partie du coût d’un·e assistant·e maternel·le, d’une "
            "garde à domicile ou d’une micro-crèche : c’est le complément de libre choix du mode "
            "de garde (CMG). Le montant dépend de vos revenus et de l’âge de l’enfant. Faites "
            "une simulation sur caf.fr avant de signer : la mairie ne peut pas calculer cette "
            "aide."
        ),
        "details_md": """\
## Qui peut en bénéficier
- Les familles qui emploient un·e assistant·e maternel·le agréé·e ou une garde à domicile, ou dont l’enfant va en micro-crèche au tarif libre.
- En général pour un enfant de moins de six ans. Des règles plus favorables existent pour les familles monoparentales : à vérifier sur caf.fr.
- Les parents doivent en principe travailler ; il existe des exceptions (études, recherche d’emploi sous conditions, allocation aux adultes handicapés).

## Comment le demander
1. Faire une simulation sur caf.fr (rubrique Simulateurs) ou sur monenfant.fr.
2. Déposer la demande en ligne sur caf.fr ou msa.fr dès le premier mois de garde.
3. Déclarer ensuite la garde chaque mois sur Pajemploi.

## Ce qui compte dans le calcul
- Les revenus du foyer, le nombre d’enfants, le nombre d’heures de garde et le prix de l’heure.
- Une partie des cotisations sociales est aussi prise en charge.
- Des majorations existent : parent seul, enfant bénéficiaire de l’AEEH, garde la nuit, le dimanche ou un jour férié.

## Bon à savoir
- Le mode de calcul a été réformé récemment : les anciens tableaux de montants ne sont plus fiables. Toujours renvoyer vers le simulateur officiel.
- Ce qui reste à payer ouvre droit à un crédit d’impôt (montant indicatif, à vérifier sur impots.gouv.fr).
- Pour une crèche au tarif selon les revenus, il n’y a pas de CMG : la CAF finance directement la structure.
- Le {relais.nom} peut aider à faire la simulation : {relais.telephone}, {relais.horaires}.
""",
        "phrasings": [
            "quelle aide de la caf pour la nounou ?",
            "c'est quoi le CMG",
            "complément mode de garde",
            "combien la caf rembourse pour l'assistante maternelle",
            "aide pour payer la garde de mon enfant",
            "je peux avoir une aide pour la micro creche ?",
            "simulation caf garde enfant",
        ],
        "referrals": [
            {"kind": "caf", "label": "La CAF (caf.fr, rubrique Simulateurs > Complément de libre choix du mode de garde)"},
            {"kind": "organisation", "label": "La MSA pour les familles du régime agricole", "organisation": "MSA d’Armorique"},
            {"kind": "relais", "label": "Le relais petite enfance (aide à la simulation et au budget)"},
        ],
        "cannot_do": (
            "La mairie ne calcule pas le CMG, ne dépose pas la demande pour la famille et ne peut "
            "pas dire si la famille y a droit."
        ),
        "sources": [
            "caf.fr — Complément de libre choix du mode de garde",
            "caf.fr — Simulateur mode de garde",
            "service-public.fr — Complément de libre choix du mode de garde (CMG)",
        ],
        "review_months": 4,
        "revisions": [
            "Création de la fiche",
            "Mise à jour après la réforme du mode de calcul du CMG",
        ],
    },
    # 9 ------------------------------------------------------------------------------------
    {
        "slug": "pmi-consultations-vaccinations",
        "theme": "sante-pmi",
        "title": "Consultations PMI, carnet de santé et vaccinations",
        "audiences": ["reception_agent", "rpe_animator"],
        "first_answer": (
            "La protection maternelle et infantile (PMI) du département propose des "
            "consultations gratuites pour les enfants de moins de six ans : suivi, pesée, "
            "vaccins, conseils. On prend rendez-vous au centre médico-social le plus proche. "
            "Pour entrer en crèche ou chez un·e assistant·e maternel·le, les vaccinations "
            "obligatoires doivent être à jour dans le carnet de santé."
        ),
        "details_md": """\
## Ce que propose la PMI
- Des consultations de puériculture et des consultations médicales gratuites, sans avance de frais, pour les enfants de 0 à 6 ans.
- Des visites à domicile d’une puéricultrice après la naissance, sur demande.
- Un suivi de grossesse et un entretien prénatal dans certains centres.
- Des bilans de santé à l’école maternelle, souvent vers 3 ou 4 ans.
- Des conseils sur l’allaitement, le sommeil, l’alimentation, les pleurs.

## Le carnet de santé
- Il est remis à la maternité et suit l’enfant jusqu’à ses 18 ans.
- On l’apporte à chaque consultation : il sert aussi de preuve des vaccinations.
- En cas de perte, demander un nouveau carnet au médecin ou à la PMI ; les vaccins déjà faits peuvent y être recopiés.

## Les vaccinations obligatoires
- Onze vaccinations sont obligatoires pour les enfants nés depuis 2018 ; la liste a été complétée pour les plus jeunes (méningocoques). Vérifier le calendrier en vigueur.
- Elles sont exigées pour entrer en crèche, chez un·e assistant·e maternel·le et à l’école.
- Le calendrier change régulièrement : vérifier sur vaccination-info-service.fr.

## Les examens de santé de l’enfant
- Vingt examens sont obligatoires jusqu’à 18 ans, pris en charge par l’Assurance maladie ; la plupart ont lieu avant trois ans.
- Ils peuvent se faire à la PMI, chez le médecin généraliste ou chez le pédiatre.

## Au guichet
- Donner l’adresse et le téléphone du centre médico-social. Ne jamais noter d’information de santé sur l’enfant.
""",
        "phrasings": [
            "où faire vacciner mon bébé gratuitement ?",
            "c'est quoi la pmi",
            "j'ai perdu le carnet de sante de mon fils",
            "consultation nourrisson gratuite",
            "quels vaccins pour la crèche ?",
            "peser mon bébé, c'est où ?",
        ],
        "referrals": [
            {"kind": "pmi", "label": "Le centre de PMI du conseil départemental le plus proche (consultations gratuites)"},
            {"kind": "organisation", "label": "L’Assurance maladie (ameli.fr) pour les examens et remboursements", "organisation": "CPAM des Côtes-d’Armor"},
            {"kind": "relais", "label": "Le relais petite enfance, pour les questions d’accueil liées aux vaccins"},
        ],
        "cannot_do": (
            "La mairie ne donne pas d’avis médical, ne délivre pas de carnet de santé et ne "
            "prend pas les rendez-vous de PMI pour la famille."
        ),
        "sources": [
            "service-public.fr — Vaccinations obligatoires de l’enfant",
            "ameli.fr — Les examens obligatoires de l’enfant",
            "vaccination-info-service.fr — Calendrier des vaccinations",
        ],
        "review_months": -2,
        "revisions": ["Création de la fiche"],
    },
    # 10 -----------------------------------------------------------------------------------
    {
        "slug": "enfant-situation-handicap",
        "theme": "sante-pmi",
        "title": "Accueillir un enfant en situation de handicap",
        "audiences": ["reception_agent", "rpe_animator"],
        "first_answer": (
            "Un enfant en situation de handicap ou malade chronique peut être accueilli en "
            "crèche, chez un·e assistant·e maternel·le ou en MAM. Le {relais.nom} "
            "({relais.telephone}) et la PMI aident la famille à trouver un accueil adapté. Pour "
            "l’allocation d’éducation de l’enfant handicapé (AEEH), la demande se fait auprès "
            "de la MDPH."
        ),
        "details_md": """\
## Trouver un accueil
- Tous les modes d’accueil peuvent recevoir un enfant en situation de handicap. Le relais aide à trouver les professionnel·le·s prêt·e·s à l’accueillir.
- Les crèches financées par la CAF reçoivent un soutien financier quand elles accueillent un enfant bénéficiaire de l’AEEH : cela aide à renforcer l’équipe.
- Un projet d’accueil individualisé (PAI) peut être écrit avec le médecin pour les soins, les traitements ou un régime alimentaire.
- Certains départements ont un pôle ressources handicap qui conseille familles et professionnel·le·s.

## Les aides
- AEEH : allocation pour les frais d’éducation et de soins. Demande à la MDPH avec le formulaire et un certificat médical ; le versement se fait par la CAF ou la MSA.
- Un complément peut s’ajouter selon les dépenses et la réduction d’activité des parents.
- Le CMG est majoré quand l’enfant bénéficie de l’AEEH.

## Où orienter
- La PMI : repérage, accompagnement, lien avec les soignants.
- Le centre d’action médico-sociale précoce (CAMSP), pour les enfants de 0 à 6 ans, sur orientation d’un médecin.
- La MDPH du département pour les droits (AEEH, carte mobilité inclusion).

## Au guichet
- Écouter sans demander de détails médicaux.
- Ne noter aucune information de santé dans la prise de contact.
""",
        "phrasings": [
            "mon enfant est handicapé, est-ce qu'il peut aller en crèche ?",
            "aide pour enfant handicapé",
            "c'est quoi l'aeeh",
            "mon fils a un retard, qui peut nous aider ?",
            "dossier mdph pour un bébé",
            "nounou qui accepte un enfant avec un handicap",
        ],
        "referrals": [
            {"kind": "pmi", "label": "La PMI du département (accompagnement et orientation)"},
            {"kind": "organisation", "label": "La maison départementale des personnes handicapées (MDPH)", "organisation": "MDPH des Côtes-d’Armor"},
            {"kind": "relais", "label": "Le relais petite enfance (recherche d’un accueil adapté)"},
            {"kind": "caf", "label": "La CAF (caf.fr, rubrique Handicap > AEEH)"},
        ],
        "cannot_do": (
            "La mairie ne reconnaît pas le handicap, n’instruit pas le dossier MDPH et ne donne "
            "pas d’avis médical."
        ),
        "sources": [
            "caf.fr — Allocation d’éducation de l’enfant handicapé",
            "service-public.fr — AEEH",
            "monenfant.fr — Accueillir un enfant en situation de handicap",
        ],
        "review_months": 12,
        "revisions": ["Création de la fiche"],
    },
    # 11 -----------------------------------------------------------------------------------
    {
        "slug": "laep-ateliers-parents",
        "theme": "parentalite",
        "title": "Lieux d’accueil enfants-parents (LAEP) et ateliers parents",
        "audiences": ["reception_agent", "rpe_animator"],
        "first_answer": (
            "Un lieu d’accueil enfants-parents (LAEP) est un espace gratuit et anonyme où l’on "
            "vient avec son enfant de moins de six ans, sans inscription, pour jouer et "
            "rencontrer d’autres parents. Le {relais.nom} connaît les LAEP et les ateliers "
            "parents du secteur : {relais.telephone}, {relais.email}."
        ),
        "details_md": """\
## Le LAEP
- Pour les enfants de 0 à 6 ans, accompagnés d’un parent ou d’un adulte proche (grand-parent, par exemple), et pour les futurs parents.
- Gratuit, sans inscription, sans obligation de venir chaque semaine.
- Anonyme : on donne seulement le prénom de l’enfant.
- Deux accueillant·e·s formé·e·s à l’écoute sont présent·e·s.
- Ce n’est ni un mode de garde, ni une consultation : l’adulte reste avec l’enfant.
- Ouvert en général quelques demi-journées par semaine.

## Les autres actions pour les parents
- Ateliers d’éveil du relais petite enfance, parfois ouverts aux parents.
- Cafés des parents, groupes de parole, soirées sur le sommeil, les écrans ou les colères.
- Médiation familiale en cas de séparation (CAF, associations).
- Les actions de soutien à la parentalité sont recensées sur monenfant.fr.

## À dire à la famille
- Les horaires changent souvent pendant les vacances scolaires : appeler avant de se déplacer.
- Le site et l’application « 1000 premiers jours » donnent des conseils fiables pour la grossesse et les premières années.

## Pour l’agent d’accueil
- Une famille isolée ou fatiguée peut être orientée vers le LAEP sans condition ; si elle parle de difficultés graves, orienter aussi vers la PMI ou le service social.
""",
        "phrasings": [
            "il y a un endroit pour jouer avec mon bébé ?",
            "c'est quoi un laep",
            "ateliers pour les parents",
            "je me sens seule avec mon bébé",
            "lieu d'accueil parents enfants gratuit",
            "groupe de parole parents",
        ],
        "referrals": [
            {"kind": "relais", "label": "Le relais petite enfance (ateliers et calendrier des LAEP)"},
            {"kind": "caf", "label": "La CAF (monenfant.fr, rubrique Soutien à la parentalité)"},
            {"kind": "pmi", "label": "La PMI du département, si la famille exprime des difficultés"},
        ],
        "cannot_do": (
            "La mairie ne propose pas de suivi psychologique ou social et n’inscrit pas la "
            "famille au LAEP : il n’y a pas d’inscription."
        ),
        "sources": [
            "caf.fr — Lieux d’accueil enfants-parents",
            "monenfant.fr — Soutien à la parentalité",
            "1000-premiers-jours.fr",
        ],
        "review_months": 10,
        "revisions": [
            "Création de la fiche",
            "Ajout du renvoi vers les 1000 premiers jours",
        ],
        "previous_first_answer": (
            "Un lieu d’accueil enfants-parents (LAEP) est un espace gratuit et anonyme où l’on "
            "vient avec son enfant de moins de six ans, sans inscription, pour jouer et "
            "rencontrer d’autres parents. Renseignez-vous à l’accueil de la mairie, "
            "{mairie.horaires}."
        ),
    },
    # 12 -----------------------------------------------------------------------------------
    {
        "slug": "horaires-atypiques-urgence",
        "theme": "modes-accueil",
        "title": "Garde en horaires atypiques ou en urgence",
        "audiences": ["reception_agent", "rpe_animator"],
        "first_answer": (
            "Pour des horaires tôt le matin, tard le soir, la nuit ou le week-end, certain·e·s "
            "assistant·e·s maternel·le·s et certaines crèches peuvent s’adapter. Le "
            "{relais.nom} sait qui accepte ces horaires : {relais.telephone}, "
            "{relais.horaires}. En cas d’urgence (reprise d’emploi rapide, hospitalisation), il "
            "indique aussi les places d’accueil d’urgence du secteur."
        ),
        "details_md": """\
## Horaires atypiques
- Assistant·e·s maternel·le·s : certain·e·s accueillent dès 5 h, le soir, la nuit ou le samedi. Ces horaires figurent souvent sur monenfant.fr.
- Garde à domicile : souple, adaptée aux plannings qui changent (soins, commerce, transport).
- Quelques crèches ont des horaires élargis ; se renseigner auprès de chacune.
- Le CMG est majoré quand la garde a lieu la nuit, le dimanche ou un jour férié (conditions sur caf.fr).

## Accueil en urgence
- Certaines crèches gardent des places pour des situations imprévues : reprise d’emploi, formation, hospitalisation d’un parent, difficultés familiales.
- L’accueil d’urgence est en principe temporaire, le temps de trouver une solution durable.
- Les crèches AVIP peuvent convenir si le parent cherche un emploi.

## Les étapes
1. Appeler le relais pour faire le point sur les disponibilités.
2. Contacter les crèches indiquées et expliquer la situation.
3. En parallèle, appeler les assistant·e·s maternel·le·s proposé·e·s.
4. Si la situation est sociale (violences, hospitalisation, expulsion), orienter aussi vers le service social du département.

## À préparer
- Le carnet de santé avec les vaccinations à jour.
- Un justificatif de domicile et le numéro d’allocataire CAF ou MSA.
- Le planning de travail, même provisoire.
""",
        "phrasings": [
            "je travaille de nuit, qui peut garder mes enfants ?",
            "nounou le samedi",
            "garde d'urgence pour demain",
            "je commence a 5h du matin, y a une creche ouverte ?",
            "horaires décalés garde enfant",
            "je suis hospitalisée, qui garde mon bébé ?",
        ],
        "referrals": [
            {"kind": "relais", "label": "Le relais petite enfance (professionnel·le·s en horaires atypiques, places d’urgence)"},
            {"kind": "caf", "label": "La CAF (caf.fr, CMG et horaires spécifiques)"},
            {"kind": "organisation", "label": "Le service social du département, en cas de situation sociale urgente", "organisation": "Conseil départemental des Côtes-d’Armor"},
        ],
        "cannot_do": (
            "La mairie ne trouve pas elle-même une garde d’urgence et ne peut pas garantir une "
            "place ; elle oriente vers le relais et, si besoin, le service social."
        ),
        "sources": [
            "monenfant.fr — Recherche par horaires",
            "caf.fr — CMG et horaires spécifiques",
            "service-public.fr — Modes de garde",
        ],
        "review_months": 6,
        "revisions": ["Création de la fiche"],
    },
    # 13 -----------------------------------------------------------------------------------
    {
        "slug": "contrat-travail-assistant-maternel",
        "theme": "parent-employeur",
        "title": "Contrat de travail avec l’assistant·e maternel·le",
        "audiences": ["reception_agent", "rpe_animator"],
        "first_answer": (
            "Le contrat de travail écrit est obligatoire. Il suit la convention collective "
            "nationale des particuliers employeurs et de l’emploi à domicile. Le {relais.nom} "
            "peut relire le projet de contrat avec vous et vous expliquer la période "
            "d’adaptation et la période d’essai : {relais.telephone}, {relais.email}."
        ),
        "details_md": """\
## Ce que contient le contrat
- La date de début, les jours et horaires d’accueil, les semaines d’accueil dans l’année.
- Le type d’accueil : année complète, ou année incomplète si la famille a des semaines sans accueil.
- Le salaire horaire brut et net, au moins égal au minimum de la convention (montant indicatif, à vérifier).
- Les indemnités : entretien, repas s’ils sont fournis, déplacements.
- Les congés payés et leur mode de paiement.

## La période d’adaptation
- Quelques jours pour que l’enfant, les parents et la professionnelle fassent connaissance, avec des temps d’accueil courts puis plus longs.
- Elle est payée et se déroule pendant la période d’essai.

## La période d’essai
- Sa durée maximale dépend du nombre de jours d’accueil par semaine : elle est plus courte quand l’enfant vient quatre jours ou plus.
- Chaque partie peut y mettre fin sans motif, en prévenant l’autre dans le délai prévu.

## Documents à réunir
- L’agrément de l’assistant·e maternel·le et son attestation d’assurance responsabilité civile professionnelle ; l’assurance auto si elle ou il transporte l’enfant.
- Son numéro Pajemploi.
- Le carnet de santé de l’enfant (vaccinations).

## Ressources
- Des modèles de contrat sont proposés par les relais et les sites officiels.
- En cas de désaccord, le relais informe mais ne tranche pas : orienter vers le service de renseignement en droit du travail de la DREETS.
""",
        "phrasings": [
            "modèle de contrat assistante maternelle",
            "comment faire le contrat avec la nounou",
            "c'est quoi l'annee incomplete",
            "periode d'adaptation nounou c'est payé ?",
            "convention collective assistante maternelle",
            "je veux arrêter pendant la période d'essai",
        ],
        "referrals": [
            {"kind": "relais", "label": "Le relais petite enfance (relecture du contrat, ateliers juridiques)"},
            {"kind": "organisation", "label": "Le service de renseignement en droit du travail", "organisation": "DREETS Bretagne"},
            {"kind": "organisation", "label": "Pajemploi pour la déclaration du salaire", "organisation": "Urssaf — Pajemploi"},
        ],
        "cannot_do": (
            "La mairie ne rédige pas le contrat, ne donne pas de conseil juridique et ne règle "
            "pas les litiges entre parents et assistant·e·s maternel·le·s."
        ),
        "sources": [
            "service-public.fr — Contrat de travail d’un assistant maternel",
            "pajemploi.urssaf.fr — Convention collective des particuliers employeurs",
            "legifrance.gouv.fr — Convention collective nationale IDCC 3239",
        ],
        "review_months": 12,
        "revisions": [
            "Création de la fiche",
            "Précision sur la période d’adaptation",
        ],
        "previous_first_answer": (
            "Le contrat de travail écrit est obligatoire. Il suit la convention collective "
            "nationale des particuliers employeurs et de l’emploi à domicile. Le {relais.nom} "
            "peut relire le projet de contrat avec vous : {relais.telephone}, {relais.email}."
        ),
    },
    # 14 -----------------------------------------------------------------------------------
    {
        "slug": "commune-autorite-organisatrice-sppe",
        "theme": "modes-accueil",
        "title": "La commune autorité organisatrice : ce que la mairie peut et ne peut pas faire (SPPE)",
        "audiences": ["elected_official"],
        "first_answer": (
            "Depuis la loi pour le plein emploi de 2023, la commune est autorité organisatrice "
            "de l’accueil du jeune enfant, dans le cadre du service public de la petite enfance "
            "(SPPE). Cela ne veut pas dire que la mairie attribue les places : elle recense les "
            "besoins, informe les familles et planifie l’offre avec ses partenaires. Le "
            "{relais.nom} et la CAF vous appuient pour les chiffres et l’observatoire."
        ),
        "details_md": """\
## Les compétences de la commune (depuis le 1er janvier 2025)
- **Toutes les communes** : recenser les besoins des familles et l’offre d’accueil ; informer et accompagner les familles.
- **Plus de 3 500 habitants** : établir aussi un schéma pluriannuel de maintien et de développement de l’offre d’accueil.
- **Plus de 10 000 habitants** : soutenir aussi la qualité des modes d’accueil, notamment avec un relais petite enfance.
- Ces compétences peuvent être transférées à l’intercommunalité.

## Ce que la mairie ne fait pas
- La mairie n’attribue pas les places : chaque gestionnaire de crèche a sa commission d’attribution.
- Elle ne délivre pas l’agrément des assistant·e·s maternel·le·s : c’est la PMI du département.
- Elle ne calcule ni ne verse les aides : c’est la CAF ou la MSA.

## Ce que l’accueil de la mairie peut faire
- Donner la même première réponse partout, grâce aux fiches du réseau.
- Orienter vers le relais qui couvre la commune.
- Compter les demandes, sans données personnelles, pour nourrir l’observatoire.

## L’observatoire de la petite enfance
- Il rassemble les questions posées, les communes concernées et les besoins non couverts.
- Il sert à préparer le schéma, les comités de pilotage et le dialogue avec la CAF dans la convention territoriale globale (CTG).

## Points de vigilance pour les élu·e·s
- Dire clairement aux familles ce que la commune peut faire, pour éviter les faux espoirs lors des forums et réunions.
- Le comité départemental des services aux familles coordonne l’action à l’échelle du département.
""",
        "phrasings": [
            "la mairie n'attribue pas les places, alors on sert à quoi ?",
            "commune autorité organisatrice petite enfance",
            "service public de la petite enfance obligations commune",
            "loi plein emploi creche commune",
            "c'est quoi le SPPE",
            "observatoire petite enfance chiffres",
            "schéma pluriannuel accueil du jeune enfant",
        ],
        "referrals": [
            {"kind": "caf", "label": "La CAF (conseiller·ère territorial·e, convention territoriale globale)"},
            {"kind": "relais", "label": "Le relais petite enfance (données sur l’offre et les demandes)"},
            {"kind": "organisation", "label": "Le service petite enfance de l’intercommunalité", "organisation": "Saint-Brieuc Armor Agglomération"},
        ],
        "cannot_do": (
            "Ni la mairie ni l’élu·e n’attribuent les places en crèche, ne délivrent les "
            "agréments ou ne calculent les aides CAF ; la commune organise, informe et planifie."
        ),
        "sources": [
            "legifrance.gouv.fr — Loi n° 2023-1196 du 18 décembre 2023 pour le plein emploi",
            "caf.fr — Service public de la petite enfance",
            "solidarites.gouv.fr — Le service public de la petite enfance",
        ],
        "review_months": 12,
        "revisions": [
            "Création de la fiche",
            "Ajout de la partie sur l’observatoire",
        ],
    },
    # 15 -----------------------------------------------------------------------------------
    {
        "slug": "relais-petite-enfance-role",
        "theme": "modes-accueil",
        "title": "Le relais petite enfance (RPE) : à quoi sert-il ?",
        "audiences": ["reception_agent", "rpe_animator", "elected_official"],
        "first_answer": (
            "Le {relais.nom} est un service gratuit pour les parents et les professionnel·le·s "
            "de l’accueil individuel. Il informe sur tous les modes d’accueil, accompagne les "
            "démarches d’employeur et propose des ateliers d’éveil. Contact : "
            "{relais.telephone}, {relais.email} ; accueil {relais.horaires}, {relais.adresse}."
        ),
        "details_md": """\
## Pour les parents
- Une information complète et neutre sur les modes d’accueil du secteur : crèches, micro-crèches, MAM, assistant·e·s maternel·le·s, garde à domicile.
- La liste des assistant·e·s maternel·le·s et de leurs disponibilités.
- Une aide pour les démarches d’employeur : contrat, Pajemploi, CMG, fin de contrat.
- Une écoute en cas de désaccord avec la professionnelle, sans prendre parti.

## Pour les professionnel·le·s
- Des ateliers d’éveil avec les enfants accueillis.
- Des informations sur le métier, la formation continue et les droits.
- Des temps d’échange entre assistant·e·s maternel·le·s et gardes à domicile.

## Comment le contacter
- Par téléphone ou par courriel, ou lors des permanences sur rendez-vous.
- Certains relais sont itinérants : l’animatrice tient des permanences dans plusieurs communes.
- Le relais qui couvre {commune.nom} est indiqué sur cette fiche.

## Ce que le relais ne fait pas
- Il ne choisit pas le mode d’accueil à la place de la famille.
- Il n’attribue pas les places en crèche.
- Il ne délivre pas l’agrément (PMI) et ne verse pas d’aide (CAF, MSA).
- Il ne tranche pas les litiges : il informe et oriente.
""",
        "phrasings": [
            "c'est quoi le relais petite enfance",
            "le RAM il est où ?",
            "numero du relais assistantes maternelles",
            "qui peut m'aider pour trouver un mode de garde",
            "rpe horaires",
            "le relais c'est payant ?",
        ],
        "referrals": [
            {"kind": "relais", "label": "Le relais petite enfance qui couvre la commune"},
            {"kind": "caf", "label": "La CAF (monenfant.fr, annuaire des relais petite enfance)"},
        ],
        "cannot_do": (
            "La mairie ne remplace pas le relais : elle donne la première réponse et les "
            "coordonnées, le relais accompagne la famille ensuite."
        ),
        "sources": [
            "monenfant.fr — Les relais petite enfance",
            "caf.fr — Relais petite enfance",
        ],
        "review_months": 8,
        "revisions": [
            "Création de la fiche",
            "Le relais assistants maternels (RAM) devient relais petite enfance (RPE)",
        ],
        "previous_first_answer": (
            "Le {relais.nom} est un service gratuit pour les parents et les assistant·e·s "
            "maternel·le·s. Il informe sur tous les modes d’accueil, accompagne les démarches "
            "d’employeur et propose des ateliers d’éveil. Contact : {relais.telephone}, "
            "{relais.email} ; accueil {relais.horaires}, {relais.adresse}."
        ),
    },
]

LOCAL_COMPLEMENTS = [
    {
        "tenant": "saint-brieuc-armor",
        "fiche": "demande-place-creche",
        "body_md": """\
**Exemple de démonstration (fictif).**

Dans l’agglomération, une seule demande suffit pour toutes les crèches publiques et associatives partenaires.

- Le formulaire unique est disponible au guichet unique petite enfance, dans les trois pôles de proximité et sur l’espace famille en ligne.
- La commission d’attribution intercommunale se réunit trois fois par an (mars, juin, novembre).
- Sans place, la famille confirme sa demande tous les trois mois, par courriel ou au guichet.
- La mairie de {commune.nom} peut remettre le formulaire papier, {mairie.horaires}.
""",
    },
    {
        "tenant": "saint-brieuc-armor",
        "fiche": "creche-avip",
        "body_md": """\
**Exemple de démonstration (fictif).**

Deux multi-accueils de l’agglomération réservent chacun quelques places AVIP.

- L’orientation se fait par l’agence France Travail du secteur ou par le référent RSA du département.
- Une permanence commune crèche – France Travail a lieu un mardi par mois au pôle de proximité le plus proche.
- Les familles peuvent aussi appeler le {relais.nom} ({relais.telephone}), qui transmet la demande.
""",
    },
    {
        "tenant": "saint-brieuc-armor",
        "fiche": "horaires-atypiques-urgence",
        "body_md": """\
**Exemple de démonstration (fictif).**

- Les relais petite enfance de l’agglomération tiennent une liste commune des assistant·e·s maternel·le·s qui acceptent les horaires décalés (avant 7 h, après 19 h, samedi).
- Un multi-accueil intercommunal ouvre dès 6 h 30 du lundi au vendredi.
- Deux places d’urgence par trimestre sont réservées dans le réseau ; la demande passe par le guichet unique petite enfance.
""",
    },
]

LOCAL_FICHES = [
    {
        "tenant": "saint-brieuc-armor",
        "slug": "guichet-unique-petite-enfance",
        "theme": "inscription-creche",
        "title": "Guichet unique petite enfance de l’agglomération",
        "audiences": ["reception_agent", "rpe_animator"],
        "first_answer": (
            "L’agglomération a un guichet unique petite enfance : il enregistre les demandes de "
            "place en crèche et informe sur tous les modes d’accueil. Les familles peuvent y "
            "aller sur rendez-vous ou appeler le {relais.nom} au {relais.telephone}. La mairie "
            "de {commune.nom} peut remettre le formulaire de demande."
        ),
        "details_md": """\
**Exemple de démonstration : ce guichet et son fonctionnement sont inventés.**

## Ce que fait le guichet unique
- Il enregistre la demande unique de place, valable pour toutes les crèches publiques et associatives partenaires de l’agglomération.
- Il informe sur les micro-crèches, les MAM, les assistant·e·s maternel·le·s et la garde à domicile, avec les relais petite enfance.
- Il prépare les dossiers pour la commission d’attribution intercommunale.
- Il confirme par courriel la bonne réception de la demande.

## Comment y aller
- Au siège de l’agglomération, sur rendez-vous.
- Lors des permanences dans les trois pôles de proximité, une demi-journée par semaine.
- Par téléphone, pour une première information.

## Documents à apporter
- Justificatif de domicile de moins de trois mois.
- Numéro d’allocataire CAF ou MSA.
- Livret de famille ou déclaration de grossesse.
- Justificatif de situation professionnelle ou de recherche d’emploi.

## Après le dépôt
- La famille reçoit un numéro de dossier.
- La décision est envoyée après chaque commission.
- Sans place, la demande est à confirmer tous les trois mois.

## Rôle de la mairie
- Remettre le formulaire et les coordonnées du guichet.
- Ne pas se prononcer sur les chances d’obtenir une place.
""",
        "phrasings": [
            "ou deposer ma demande de creche dans l'agglo",
            "guichet unique petite enfance",
            "formulaire unique crèche saint-brieuc",
            "à qui je rends le dossier de crèche ?",
            "rendez-vous pour inscrire mon enfant en crèche",
        ],
        "referrals": [
            {"kind": "organisation", "label": "Le guichet unique petite enfance (exemple fictif)", "organisation": "Saint-Brieuc Armor Agglomération"},
            {"kind": "relais", "label": "Le relais petite enfance qui couvre la commune"},
            {"kind": "caf", "label": "La CAF (caf.fr, simulateur du coût de la crèche)"},
        ],
        "cannot_do": (
            "La mairie n’enregistre pas la demande dans le fichier de l’agglomération, n’attribue "
            "pas les places et ne connaît pas l’avancement des dossiers."
        ),
        "sources": [
            "Saint-Brieuc Armor Agglomération — règlement d’attribution des places (exemple fictif)",
            "monenfant.fr",
        ],
        "review_months": 6,
        "revisions": ["Création de la fiche locale"],
    },
]
