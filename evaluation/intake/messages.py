"""Coordinator-facing messages, in Dutch, French and English.

Each problem code has one template per language: a sentence a
non-programmer can act on (what is wrong, where, what to do). Templates may
use ``{row}``, ``{column}``, ``{value}`` and the problem's ``params``. A test
checks that every code used anywhere has all three languages.
"""

from __future__ import annotations

from string import Formatter

__all__ = ["MESSAGES", "render", "render_report", "LANGS"]

LANGS = ("nl", "fr", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # -- the file as a whole -------------------------------------------------
    "file-empty": {
        "nl": "Het bestand is leeg. Bewaar het opnieuw vanuit uw programma en stuur het nog eens.",
        "fr": "Le fichier est vide. Enregistrez-le à nouveau depuis votre programme et renvoyez-le.",
        "en": "The file is empty. Save it again from your program and send it again.",
    },
    "file-header-only": {
        "nl": "Het bestand bevat alleen kolomnamen en geen gegevens. Vul de gegevens in en stuur het opnieuw.",
        "fr": "Le fichier ne contient que les noms de colonnes, sans données. Saisissez les données et renvoyez-le.",
        "en": "The file has column names but no data. Enter the data and send it again.",
    },
    "file-unreadable": {
        "nl": "Het bestand kan niet gelezen worden ({detail}). Het is misschien beschadigd of onvolledig verstuurd. Bewaar het opnieuw en stuur het nog eens.",
        "fr": "Le fichier ne peut pas être lu ({detail}). Il est peut-être endommagé ou incomplet. Enregistrez-le à nouveau et renvoyez-le.",
        "en": "The file cannot be read ({detail}). It may be damaged or incompletely sent. Save it again and send it again.",
    },
    "file-format-unknown": {
        "nl": "Dit is geen bestand dat we kunnen lezen ({detail}). Stuur een SPSS-bestand (.sav), Stata (.dta), Excel (.xlsx) of CSV.",
        "fr": "Ce fichier n'est pas d'un type que nous pouvons lire ({detail}). Envoyez un fichier SPSS (.sav), Stata (.dta), Excel (.xlsx) ou CSV.",
        "en": "This is not a file we can read ({detail}). Send an SPSS (.sav), Stata (.dta), Excel (.xlsx) or CSV file.",
    },
    "file-extension-mismatch": {
        "nl": "Het bestand heet '{extension}' maar is eigenlijk een {actual}-bestand. We hebben het als {actual} gelezen; geef het voortaan de juiste extensie.",
        "fr": "Le fichier porte l'extension '{extension}' mais est en réalité un fichier {actual}. Nous l'avons lu comme {actual} ; donnez-lui désormais la bonne extension.",
        "en": "The file is named '{extension}' but is really a {actual} file. We read it as {actual}; please give it the right extension next time.",
    },
    "file-too-large": {
        "nl": "Het bestand is te groot ({size}). Stuur de gegevens van één gevangenis en één vragenlijst per bestand.",
        "fr": "Le fichier est trop volumineux ({size}). Envoyez les données d'une prison et d'un questionnaire par fichier.",
        "en": "The file is too large ({size}). Send the data of one prison and one questionnaire per file.",
    },
    "encoding-guessed": {
        "nl": "Het bestand is niet in UTF-8; we hebben het gelezen als {encoding}. Controleer of letters met accenten juist staan.",
        "fr": "Le fichier n'est pas en UTF-8 ; nous l'avons lu comme {encoding}. Vérifiez que les lettres accentuées sont correctes.",
        "en": "The file is not UTF-8; we read it as {encoding}. Check that accented letters look right.",
    },
    "sheet-multiple": {
        "nl": "Het Excel-bestand heeft meerdere bladen ({sheets}). We lezen alleen het blad '{used}'. Zet alle gegevens op één blad.",
        "fr": "Le fichier Excel contient plusieurs feuilles ({sheets}). Nous lisons uniquement la feuille « {used} ». Mettez toutes les données sur une seule feuille.",
        "en": "The Excel file has several sheets ({sheets}). We read only the sheet '{used}'. Put all data on one sheet.",
    },
    "sheet-no-data": {
        "nl": "Het Excel-bestand heeft geen blad met gegevens (alleen {sheets}). Het is misschien het sjabloon van de vragenlijst en niet de verzamelde gegevens: stuur het bestand met de gegevens.",
        "fr": "Le fichier Excel n'a aucune feuille de données (seulement {sheets}). C'est peut-être le modèle du questionnaire et non les données recueillies : envoyez le fichier contenant les données.",
        "en": "The Excel file has no sheet with data (only {sheets}). It may be the questionnaire template rather than the collected data: send the file with the data.",
    },
    "file-encrypted": {
        "nl": "Het bestand is beveiligd met een wachtwoord en kan daardoor niet gelezen worden. Bewaar het zonder wachtwoord en stuur het via de afgesproken beveiligde weg.",
        "fr": "Le fichier est protégé par un mot de passe et ne peut donc pas être lu. Enregistrez-le sans mot de passe et envoyez-le par la voie sécurisée convenue.",
        "en": "The file is protected by a password, so it cannot be read. Save it without a password and send it by the agreed secure route.",
    },
    "header-merged": {
        "nl": "Rij 1 bevat samengevoegde cellen ({cells}). Maak de samenvoeging ongedaan: elke kolom heeft één eigen naam in rij 1.",
        "fr": "La ligne 1 contient des cellules fusionnées ({cells}). Annulez la fusion : chaque colonne doit avoir son propre nom en ligne 1.",
        "en": "Row 1 has merged cells ({cells}). Unmerge them: each column needs its own name in row 1.",
    },
    "header-duplicate": {
        "nl": "De kolom '{column}' komt meer dan eens voor. Elke kolomnaam mag maar één keer voorkomen.",
        "fr": "La colonne « {column} » apparaît plusieurs fois. Chaque nom de colonne ne peut apparaître qu'une fois.",
        "en": "The column '{column}' appears more than once. Each column name may appear only once.",
    },
    "header-blank": {
        "nl": "Kolom {position} heeft geen naam in rij 1 maar bevat wel gegevens. Geef ze de juiste naam uit het sjabloon of verwijder ze.",
        "fr": "La colonne {position} n'a pas de nom en ligne 1 mais contient des données. Donnez-lui le nom du modèle ou supprimez-la.",
        "en": "Column {position} has no name in row 1 but contains data. Give it its name from the template or delete it.",
    },
    # -- which questionnaire -------------------------------------------------
    "instrument-unknown": {
        "nl": "We herkennen niet welke vragenlijst dit is: de kolommen passen bij geen enkele versie. Gebruik het sjabloon dat u van het onderzoeksteam kreeg, of geef --instrument op.",
        "fr": "Nous ne reconnaissons pas le questionnaire : les colonnes ne correspondent à aucune version. Utilisez le modèle reçu de l'équipe de recherche ou indiquez --instrument.",
        "en": "We cannot tell which questionnaire this is: the columns match no version. Use the template the evaluation team gave you, or give --instrument.",
    },
    "instrument-mismatch": {
        "nl": "Het bestand is een sjabloon van {embedded}, maar u gaf {given} op. Controleer welke vragenlijst dit is.",
        "fr": "Le fichier est un modèle de {embedded}, mais vous avez indiqué {given}. Vérifiez de quel questionnaire il s'agit.",
        "en": "The file is a template of {embedded}, but you gave {given}. Check which questionnaire this is.",
    },
    "instrument-older-version": {
        "nl": "Dit bestand gebruikt versie {version} van de vragenlijst; de nieuwste is {latest}. Bestanden van deze versie worden aanvaard en omgezet. Gebruik voortaan het nieuwe sjabloon.",
        "fr": "Ce fichier utilise la version {version} du questionnaire ; la plus récente est {latest}. Les fichiers de cette version sont acceptés et convertis. Utilisez désormais le nouveau modèle.",
        "en": "This file uses version {version} of the questionnaire; the latest is {latest}. Files of this version are accepted and converted. Please use the new template from now on.",
    },
    "instrument-draft": {
        "nl": "Versie {version} is nog een ontwerp. Gegevens ermee worden aanvaard om te testen; vraag het onderzoeksteam om het gepubliceerde sjabloon voor het veldwerk.",
        "fr": "La version {version} est encore un projet. Les données sont acceptées pour des essais ; demandez le modèle publié à l'équipe de recherche avant la collecte.",
        "en": "Version {version} is still a draft. Its data are accepted for testing; ask the evaluation team for the published template before fieldwork.",
    },
    # -- columns -------------------------------------------------------------
    "column-unknown": {
        "nl": "De kolom '{column}' hoort niet bij deze vragenlijst. Verwijder ze, of herstel de naam zoals in het sjabloon.",
        "fr": "La colonne « {column} » ne fait pas partie de ce questionnaire. Supprimez-la ou corrigez son nom comme dans le modèle.",
        "en": "The column '{column}' is not part of this questionnaire. Delete it, or correct its name as in the template.",
    },
    "column-missing": {
        "nl": "De kolom '{column}' ontbreekt. Voeg ze toe zoals in het sjabloon (ze mag leeg zijn als de vraag niet verplicht is).",
        "fr": "La colonne « {column} » manque. Ajoutez-la comme dans le modèle (elle peut rester vide si la question n'est pas obligatoire).",
        "en": "The column '{column}' is missing. Add it as in the template (it may stay empty if the question is optional).",
    },
    # -- cells ---------------------------------------------------------------
    "type-error": {
        "nl": "Rij {row}, kolom '{column}': '{value}' is geen {expected}. Vul een {expected} in.",
        "fr": "Ligne {row}, colonne « {column} » : « {value} » n'est pas {expected_fr}. Saisissez {expected_fr}.",
        "en": "Row {row}, column '{column}': '{value}' is not {expected_en}. Enter {expected_en}.",
    },
    "choice-error": {
        "nl": "Rij {row}, kolom '{column}': de code {value} bestaat niet. Toegelaten codes: {allowed}.",
        "fr": "Ligne {row}, colonne « {column} » : le code {value} n'existe pas. Codes autorisés : {allowed}.",
        "en": "Row {row}, column '{column}': the code {value} does not exist. Allowed codes: {allowed}.",
    },
    "range-error": {
        "nl": "Rij {row}, kolom '{column}': {value} ligt buiten het toegelaten bereik ({low} tot {high}). Controleer het antwoord op de vragenlijst.",
        "fr": "Ligne {row}, colonne « {column} » : {value} est en dehors de l'intervalle autorisé ({low} à {high}). Vérifiez la réponse sur le questionnaire.",
        "en": "Row {row}, column '{column}': {value} is outside the allowed range ({low} to {high}). Check the answer on the questionnaire.",
    },
    "constraint-error": {
        "nl": "Rij {row}, kolom '{column}': {value} is niet toegelaten. {hint}",
        "fr": "Ligne {row}, colonne « {column} » : {value} n'est pas autorisé. {hint}",
        "en": "Row {row}, column '{column}': {value} is not allowed. {hint}",
    },
    "required-missing": {
        "nl": "Rij {row}, kolom '{column}': dit antwoord is verplicht maar leeg. Vul het in, of gebruik de code voor 'weet niet' of 'weigert' als die bestaat.",
        "fr": "Ligne {row}, colonne « {column} » : cette réponse est obligatoire mais vide. Complétez-la, ou utilisez le code « ne sait pas » ou « refuse » s'il existe.",
        "en": "Row {row}, column '{column}': this answer is required but empty. Fill it in, or use the 'don't know' or 'refused' code where there is one.",
    },
    "not-asked-answered": {
        "nl": "Rij {row}, kolom '{column}': deze vraag wordt alleen gesteld als {condition}, maar er staat toch een antwoord. Controleer de vorige antwoorden of maak deze cel leeg.",
        "fr": "Ligne {row}, colonne « {column} » : cette question n'est posée que si {condition}, mais une réponse est présente. Vérifiez les réponses précédentes ou videz cette cellule.",
        "en": "Row {row}, column '{column}': this question is asked only if {condition}, but it has an answer. Check the earlier answers or empty this cell.",
    },
    "duplicate-respondent-wave": {
        "nl": "Rij {row}: dezelfde persoon staat meer dan eens in dit meetmoment (ook in rij {other_rows}). Houd één rij per persoon per meetmoment.",
        "fr": "Ligne {row} : la même personne figure plusieurs fois pour cette vague (aussi en ligne {other_rows}). Gardez une ligne par personne et par vague.",
        "en": "Row {row}: the same person appears more than once in this wave (also row {other_rows}). Keep one row per person per wave.",
    },
    "date-impossible": {
        "nl": "Rij {row}, kolom '{column}': de datum {value} is onmogelijk ({reason_nl}). Controleer de datum.",
        "fr": "Ligne {row}, colonne « {column} » : la date {value} est impossible ({reason_fr}). Vérifiez la date.",
        "en": "Row {row}, column '{column}': the date {value} is impossible ({reason_en}). Check the date.",
    },
    "date-order": {
        "nl": "Rij {row}: '{column}' ({value}) valt vóór '{before_column}' ({before_value}). Controleer beide datums.",
        "fr": "Ligne {row} : « {column} » ({value}) précède « {before_column} » ({before_value}). Vérifiez les deux dates.",
        "en": "Row {row}: '{column}' ({value}) is before '{before_column}' ({before_value}). Check both dates.",
    },
    "wave-window": {
        "nl": "Rij {row}: de opvolging gebeurde {weeks} weken na de beginmeting; verwacht was {min_weeks} tot {max_weeks} weken. Dit wordt aanvaard maar gemeld.",
        "fr": "Ligne {row} : le suivi a eu lieu {weeks} semaines après la mesure de départ ; {min_weeks} à {max_weeks} semaines étaient prévues. Accepté mais signalé.",
        "en": "Row {row}: the follow-up took place {weeks} weeks after baseline; {min_weeks} to {max_weeks} weeks were expected. Accepted but reported.",
    },
    "followup-without-baseline": {
        "nl": "Rij {row}: er is een opvolging maar geen beginmeting voor deze persoon. Controleer het gedetineerdennummer, of stuur eerst de beginmeting.",
        "fr": "Ligne {row} : il y a un suivi mais pas de mesure de départ pour cette personne. Vérifiez le numéro, ou envoyez d'abord la mesure de départ.",
        "en": "Row {row}: there is a follow-up but no baseline for this person. Check the identifier, or send the baseline first.",
    },
    "site-mismatch": {
        "nl": "Rij {row}: de gevangenis '{value}' is niet '{site}', waarvoor u dit bestand indient. Stuur één bestand per gevangenis.",
        "fr": "Ligne {row} : la prison « {value} » n'est pas « {site} », pour laquelle vous envoyez ce fichier. Envoyez un fichier par prison.",
        "en": "Row {row}: the prison '{value}' is not '{site}', for which you are submitting this file. Send one file per prison.",
    },
    "site-unknown": {
        "nl": "De gevangeniscode '{value}' bestaat niet. Gebruik een van: {allowed}.",
        "fr": "Le code de prison « {value} » n'existe pas. Utilisez l'un de : {allowed}.",
        "en": "The prison code '{value}' does not exist. Use one of: {allowed}.",
    },
    "wave-unknown": {
        "nl": "Rij {row}, kolom '{column}': meetmoment '{value}' bestaat niet. Toegelaten: {allowed}.",
        "fr": "Ligne {row}, colonne « {column} » : la vague « {value} » n'existe pas. Autorisées : {allowed}.",
        "en": "Row {row}, column '{column}': wave '{value}' does not exist. Allowed: {allowed}.",
    },
    "identifier-invalid": {
        "nl": "Rij {row}, kolom '{column}': het identificatienummer is ongeldig ({reason_nl}). Controleer het nummer (het wordt hier niet getoond).",
        "fr": "Ligne {row}, colonne « {column} » : le numéro d'identification est invalide ({reason_fr}). Vérifiez le numéro (il n'est pas affiché ici).",
        "en": "Row {row}, column '{column}': the identifier is invalid ({reason_en}). Check the number (it is not shown here).",
    },
    "identifier-missing": {
        "nl": "Rij {row}, kolom '{column}': het identificatienummer ontbreekt. Zonder nummer kunnen de gegevens niet gekoppeld worden.",
        "fr": "Ligne {row}, colonne « {column} » : le numéro d'identification manque. Sans numéro, les données ne peuvent pas être reliées.",
        "en": "Row {row}, column '{column}': the identifier is missing. Without it the data cannot be linked.",
    },
    "no-consent": {
        "nl": "Rij {row}: deze persoon gaf geen toestemming; de rij wordt niet bewaard.",
        "fr": "Ligne {row} : cette personne n'a pas donné son consentement ; la ligne n'est pas conservée.",
        "en": "Row {row}: this person did not consent; the row is not stored.",
    },
    # -- the store -----------------------------------------------------------
    "submission-duplicate": {
        "nl": "Dit bestand werd al ingediend (inzending {submission}). Het wordt niet nog eens bewaard.",
        "fr": "Ce fichier a déjà été envoyé (envoi {submission}). Il n'est pas enregistré une seconde fois.",
        "en": "This file was already submitted (submission {submission}). It is not stored again.",
    },
    "submission-exists": {
        "nl": "Voor {site}, {instrument}, meetmoment {wave} zijn al gegevens (inzending {submission}). Geef aan of dit bestand ze vervangt (--replaces {submission}) of aanvult (--append).",
        "fr": "Des données existent déjà pour {site}, {instrument}, vague {wave} (envoi {submission}). Indiquez si ce fichier les remplace (--replaces {submission}) ou les complète (--append).",
        "en": "There are already data for {site}, {instrument}, wave {wave} (submission {submission}). Say whether this file replaces them (--replaces {submission}) or adds to them (--append).",
    },
    "replaces-unknown": {
        "nl": "De inzending {submission} die dit bestand zou vervangen, bestaat niet voor {site} en {instrument}. Zie 'peer-eval submissions'.",
        "fr": "L'envoi {submission} que ce fichier remplacerait n'existe pas pour {site} et {instrument}. Voir « peer-eval submissions ».",
        "en": "The submission {submission} this file would replace does not exist for {site} and {instrument}. See 'peer-eval submissions'.",
    },    # -- coded interview segments (evaluation.qda) ----------------------------------
    "code-unknown": {
        "nl": "De code '{value}' (transcriptie {transcript}) staat niet in het codeboek {codebook}. Gebruik een code of label uit het codeboek, of vraag het onderzoeksteam om de code toe te voegen in een nieuwe versie.",
        "fr": "Le code « {value} » (transcription {transcript}) ne figure pas dans le livre de codes {codebook}. Utilisez un code ou un libellé du livre de codes, ou demandez à l'équipe de recherche de l'ajouter dans une nouvelle version.",
        "en": "The code '{value}' (transcript {transcript}) is not in the codebook {codebook}. Use a code or label from the codebook, or ask the research team to add it in a new version.",
    },
    "segment-outside-transcript": {
        "nl": "Een fragment in transcriptie {transcript} ligt buiten de tekst (positie {start} tot {end}; de tekst telt {length} tekens). Controleer of het bij deze transcriptie hoort en exporteer opnieuw.",
        "fr": "Un extrait de la transcription {transcript} se trouve hors du texte (position {start} à {end} ; le texte compte {length} caractères). Vérifiez qu'il appartient à cette transcription et exportez à nouveau.",
        "en": "A segment in transcript {transcript} lies outside the text (position {start} to {end}; the text has {length} characters). Check that it belongs to this transcript and export again.",
    },
    "segment-text-mismatch": {
        "nl": "In transcriptie {transcript} staat op positie {start} tot {end} niet de geselecteerde tekst. Is de transcriptie na het coderen nog gewijzigd? Exporteer het project opnieuw met de tekst waarop gecodeerd werd.",
        "fr": "Dans la transcription {transcript}, le texte sélectionné ne se trouve pas aux positions {start} à {end}. La transcription a-t-elle été modifiée après le codage ? Exportez à nouveau le projet avec le texte codé.",
        "en": "In transcript {transcript} the selected text is not at positions {start} to {end}. Was the transcript changed after coding? Export the project again with the text that was coded.",
    },
    "positions-converted": {
        "nl": "Het codeerprogramma telt posities anders ({convention}); {n} fragmenten kwamen pas zo overeen. We hebben de posities omgerekend naar tekens. Niets te doen.",
        "fr": "Le logiciel de codage compte les positions autrement ({convention}) ; {n} extraits ne correspondaient qu'ainsi. Nous avons converti les positions en caractères. Rien à faire.",
        "en": "The coding program counts positions differently ({convention}); {n} segments only matched that way. We converted the positions to characters. Nothing to do.",
    },
    "positions-unverified": {
        "nl": "Transcriptie {transcript} bevat Windows-regeleinden of speciale tekens, en het bestand geeft de geselecteerde tekst niet mee: we kunnen niet nagaan of de posities juist geteld zijn. Controleer enkele fragmenten.",
        "fr": "La transcription {transcript} contient des fins de ligne Windows ou des caractères spéciaux et le fichier ne donne pas le texte sélectionné : nous ne pouvons pas vérifier le comptage des positions. Contrôlez quelques extraits.",
        "en": "Transcript {transcript} has Windows line ends or special characters and the file does not give the selected text: we cannot check how positions were counted. Check a few segments.",
    },
    "quotation-not-found": {
        "nl": "Rij {row}: het citaat staat niet in transcriptie {transcript}. Kopieer het citaat letterlijk uit de transcriptie.",
        "fr": "Ligne {row} : la citation ne figure pas dans la transcription {transcript}. Copiez la citation telle quelle depuis la transcription.",
        "en": "Row {row}: the quotation is not in transcript {transcript}. Copy the quotation exactly from the transcript.",
    },
    "quotation-ambiguous": {
        "nl": "Rij {row}: het citaat komt {n} keer voor in transcriptie {transcript}; we namen de eerste keer. Vul begin en einde in als een andere plaats bedoeld is.",
        "fr": "Ligne {row} : la citation apparaît {n} fois dans la transcription {transcript} ; nous avons pris la première. Indiquez début et fin si un autre endroit est visé.",
        "en": "Row {row}: the quotation occurs {n} times in transcript {transcript}; we took the first. Fill in start and end if another place is meant.",
    },
    "segment-duplicate": {
        "nl": "Een fragment in transcriptie {transcript} is twee keer met '{code}' gecodeerd door dezelfde codeerder. We bewaren het één keer.",
        "fr": "Un extrait de la transcription {transcript} a été codé deux fois « {code} » par le même codeur. Nous le gardons une fois.",
        "en": "A segment in transcript {transcript} was coded '{code}' twice by the same coder. We keep it once.",
    },
    "segment-overlap": {
        "nl": "In transcriptie {transcript} overlappen twee fragmenten met '{code}' van dezelfde codeerder. Voeg ze samen als het om één passage gaat; anders telt ze dubbel.",
        "fr": "Dans la transcription {transcript}, deux extraits codés « {code} » par le même codeur se chevauchent. Fusionnez-les s'il s'agit d'un seul passage ; sinon il compte double.",
        "en": "In transcript {transcript} two segments coded '{code}' by the same coder overlap. Merge them if they are one passage; otherwise it counts twice.",
    },
    "segment-empty": {
        "nl": "Rij {row}: een fragment in transcriptie {transcript} heeft geen citaat en geen positie. Vul het citaat in.",
        "fr": "Ligne {row} : un extrait de la transcription {transcript} n'a ni citation ni position. Indiquez la citation.",
        "en": "Row {row}: a segment in transcript {transcript} has no quotation and no position. Fill in the quotation.",
    },
    "participant-missing": {
        "nl": "Bij transcriptie {transcript} staat niet wie geïnterviewd werd. Vul de deelnemer in (gedetineerdennummer of studiecode), in het programma als 'case' of in de kolom 'deelnemer'.",
        "fr": "La transcription {transcript} n'indique pas qui a été interviewé. Indiquez le participant (numéro d'écrou ou code d'étude), dans le logiciel comme « cas » ou dans la colonne « participant ».",
        "en": "Transcript {transcript} does not say who was interviewed. Fill in the participant (prison number or study code), as a case in the program or in the 'participant' column.",
    },
    "participant-unknown": {
        "nl": "De deelnemer van transcriptie {transcript} staat niet op de namenlijst. Controleer het nummer of voeg de deelnemer toe aan de lijst (het nummer wordt hier niet getoond).",
        "fr": "Le participant de la transcription {transcript} ne figure pas sur la liste des noms. Vérifiez le numéro ou ajoutez le participant à la liste (le numéro n'est pas affiché ici).",
        "en": "The participant of transcript {transcript} is not on the names list. Check the number or add the participant to the list (the number is not shown here).",
    },
    "role-unknown": {
        "nl": "Bij transcriptie {transcript} is de rol '{value}' onbekend. Gebruik gedetineerde, ervaringsdeskundige of personeel.",
        "fr": "Pour la transcription {transcript}, le rôle « {value} » est inconnu. Utilisez détenu, pair-aidant ou personnel.",
        "en": "For transcript {transcript} the role '{value}' is unknown. Use detainee, peer worker or staff.",
    },
    "coder-missing": {
        "nl": "Een fragment in transcriptie {transcript} heeft geen codeerder. Vul in wie codeerde.",
        "fr": "Un extrait de la transcription {transcript} n'a pas de codeur. Indiquez qui a codé.",
        "en": "A segment in transcript {transcript} has no coder. Fill in who coded it.",
    },
    "transcript-participant-conflict": {
        "nl": "Rij {row}, kolom '{column}': verschilt van de vorige rijen van dezelfde transcriptie. Eén transcriptie hoort bij één deelnemer, rol en gevangenis.",
        "fr": "Ligne {row}, colonne « {column} » : diffère des lignes précédentes de la même transcription. Une transcription correspond à un seul participant, rôle et prison.",
        "en": "Row {row}, column '{column}': differs from earlier rows of the same transcript. One transcript belongs to one participant, role and prison.",
    },
    "transcript-text-missing": {
        "nl": "De tekst van transcriptie {transcript} ontbreekt; de fragmenten worden bewaard zonder controle van hun posities. Voeg de transcriptie toe (UTF-8-tekstbestand).",
        "fr": "Le texte de la transcription {transcript} manque ; les extraits sont conservés sans contrôle de leurs positions. Ajoutez la transcription (fichier texte UTF-8).",
        "en": "The text of transcript {transcript} is missing; its segments are kept without checking their positions. Add the transcript (a UTF-8 text file).",
    },
    "subtheme-theme-mismatch": {
        "nl": "Rij {row}: het subthema '{value}' hoort bij het thema '{parent}', niet bij '{theme}'. We gebruiken het subthema.",
        "fr": "Ligne {row} : le sous-thème « {value} » relève du thème « {parent} », pas de « {theme} ». Nous utilisons le sous-thème.",
        "en": "Row {row}: the sub-theme '{value}' belongs to the theme '{parent}', not '{theme}'. We use the sub-theme.",
    },
    "names-list-invalid": {
        "nl": "De namenlijst is niet bruikbaar ({detail}). Gebruik een CSV-bestand (UTF-8) met de kolommen name en label.",
        "fr": "La liste des noms est inutilisable ({detail}). Utilisez un fichier CSV (UTF-8) avec les colonnes name et label.",
        "en": "The names list cannot be used ({detail}). Use a CSV file (UTF-8) with the columns name and label.",
    },
    "qdpx-invalid": {
        "nl": "Dit is geen bruikbaar REFI-QDA-project ({detail}). Exporteer het project opnieuw als .qdpx vanuit uw codeerprogramma.",
        "fr": "Ce n'est pas un projet REFI-QDA utilisable ({detail}). Exportez à nouveau le projet en .qdpx depuis votre logiciel de codage.",
        "en": "This is not a usable REFI-QDA project ({detail}). Export the project again as .qdpx from your coding program.",
    },
    "qdpx-schema": {
        "nl": "Het project volgt de REFI-QDA-standaard niet helemaal ({detail}). We lazen wat we konden; controleer het resultaat.",
        "fr": "Le projet ne suit pas entièrement la norme REFI-QDA ({detail}). Nous avons lu ce que nous pouvions ; vérifiez le résultat.",
        "en": "The project does not fully follow the REFI-QDA standard ({detail}). We read what we could; check the result.",
    },
}

_EXPECTED = {
    "integer": ("een geheel getal", "un nombre entier", "a whole number"),
    "number": ("een getal", "un nombre", "a number"),
    "date": ("een datum (dd/mm/jjjj)", "une date (jj/mm/aaaa)", "a date (dd/mm/yyyy)"),
    "code": ("een code (getal)", "un code (nombre)", "a code (number)"),
}


class _Safe(dict):
    def __missing__(self, key):
        return "?"


def render(problem, lang: str = "en") -> str:
    """The message for ``problem`` in ``lang`` (``nl``, ``fr`` or ``en``)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    templates = MESSAGES.get(problem.code)
    if templates is None:
        return f"{problem.code} (row {problem.row}, column {problem.column})"
    params = _Safe(problem.params)
    params.update(row=problem.row, column=problem.column,
                  value=problem.value if problem.value is not None else "…")
    exp = problem.params.get("expected")
    if exp in _EXPECTED:
        nl, fr, en = _EXPECTED[exp]
        params.update(expected=nl, expected_fr=fr, expected_en=en)
    hint = problem.params.get("hint")
    if isinstance(hint, dict):
        params["hint"] = hint.get(lang) or hint.get("en", "")
    template = templates[lang]
    return Formatter().vformat(template, (), params).replace(" .", ".").strip()


_HEAD = {
    "nl": ("Bestand", "Vragenlijst", "Gevangenis", "Rijen", "aanvaard", "geweigerd", "nagekeken",
           "al eerder ingediend", "problemen", "geen problemen gevonden", "waarschuwing"),
    "fr": ("Fichier", "Questionnaire", "Prison", "Lignes", "accepté", "refusé", "vérifié",
           "déjà envoyé", "problèmes", "aucun problème trouvé", "avertissement"),
    "en": ("File", "Questionnaire", "Prison", "Rows", "accepted", "rejected", "checked",
           "already submitted", "problems", "no problems found", "warning"),
}


def render_report(report) -> str:
    """A plain-text report in the report's language, every problem on its own line."""
    h = _HEAD[report.lang]
    status = {"accepted": h[4], "rejected": h[5], "checked": h[6], "duplicate": h[7]}[report.status]
    lines = [
        f"{h[0]}: {report.file}  [{status}]",
        f"{h[1]}: {report.instrument or '?'}   {h[2]}: {report.site or '?'}   {h[3]}: {report.n_rows}",
    ]
    if report.submission_id:
        lines.append(f"ID: {report.submission_id}")
    problems = report.sorted_problems()
    lines.append(f"{len(problems)} {h[8]}:" if problems else h[9])
    for p in problems:
        tag = f" ({h[10]})" if p.severity == "warning" else ""
        lines.append(f"  - [{p.code}]{tag} {p.message(report.lang)}")
    return "\n".join(lines)
