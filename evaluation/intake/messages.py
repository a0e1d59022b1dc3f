"""Coordinator-facing messages, in Dutch, French and English.

Each problem code has one template per language: a sentence a
non-programmer can act on (what is wrong, where, what to do). Templates may
use ``{row}``, ``{column}``, ``{value}`` and the problem's ``params``. A test
checks that every code used anywhere has all three languages.
"""

from __future__ import annotations

import re
from string import Formatter

__all__ = ["MESSAGES", "render", "render_report", "LANGS", "verdict", "count_text", "plural_form", "VERDICT"]

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
        "nl": "Rij {header_row} (de kolomnamen) bevat samengevoegde cellen ({cells}). Maak de samenvoeging ongedaan: elke kolom heeft één eigen naam.",
        "fr": "La ligne {header_row} (les noms de colonnes) contient des cellules fusionnées ({cells}). Annulez la fusion : chaque colonne doit avoir son propre nom.",
        "en": "Row {header_row} (the column names) has merged cells ({cells}). Unmerge them: each column needs its own name.",
    },
    "header-duplicate": {
        "nl": "De kolom '{column}' komt meer dan eens voor. Elke kolomnaam mag maar één keer voorkomen.",
        "fr": "La colonne « {column} » apparaît plusieurs fois. Chaque nom de colonne ne peut apparaître qu'une fois.",
        "en": "The column '{column}' appears more than once. Each column name may appear only once.",
    },
    "header-blank": {
        "nl": "Kolom {position} heeft geen naam in rij {header_row} maar bevat wel gegevens. Geef ze de juiste naam uit het sjabloon of verwijder ze.",
        "fr": "La colonne {position} n'a pas de nom en ligne {header_row} mais contient des données. Donnez-lui le nom du modèle ou supprimez-la.",
        "en": "Column {position} has no name in row {header_row} but contains data. Give it its name from the template or delete it.",
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
        "nl": "{where}: '{value}' is {expected_not}. Vul {expected} in.",
        "fr": "{where} : « {value} » n'est pas {expected}. Saisissez {expected}.",
        "en": "{where}: '{value}' is not {expected}. Enter {expected}.",
    },
    "type-error-choice": {  # type-error of a question with a choice list (rendered when ``allowed`` is given)
        "nl": "{where}: '{value}' is geen antwoord van deze vraag. Vul een van deze codes in: {allowed}.",
        "fr": "{where} : « {value} » n'est pas une réponse à cette question. Saisissez l'un de ces codes : {allowed}.",
        "en": "{where}: '{value}' is not an answer to this question. Enter one of these codes: {allowed}.",
    },
    "choice-error": {
        "nl": "{where}: de code {value} bestaat niet. Toegelaten codes: {allowed}.",
        "fr": "{where} : le code {value} n'existe pas. Codes autorisés : {allowed}.",
        "en": "{where}: the code {value} does not exist. Allowed codes: {allowed}.",
    },
    "range-error": {
        "nl": "{where}: {value} ligt buiten het toegelaten bereik ({low} tot {high}). Controleer het antwoord op de vragenlijst.",
        "fr": "{where} : {value} est en dehors de l'intervalle autorisé ({low} à {high}). Vérifiez la réponse sur le questionnaire.",
        "en": "{where}: {value} is outside the allowed range ({low} to {high}). Check the answer on the questionnaire.",
    },
    "constraint-error": {
        "nl": "{where}: {value} is niet toegelaten. {hint}",
        "fr": "{where} : {value} n'est pas autorisé. {hint}",
        "en": "{where}: {value} is not allowed. {hint}",
    },
    "required-missing": {
        "nl": "{where}: dit antwoord is verplicht maar leeg. Vul het in, of gebruik de code voor 'weet niet' of 'weigert' als die bestaat.",
        "fr": "{where} : cette réponse est obligatoire mais vide. Complétez-la, ou utilisez le code « ne sait pas » ou « refuse » s'il existe.",
        "en": "{where}: this answer is required but empty. Fill it in, or use the 'don't know' or 'refused' code where there is one.",
    },
    "not-asked-answered": {
        "nl": "{where}: deze vraag wordt alleen gesteld als {condition}, maar er staat toch een antwoord. Controleer de vorige antwoorden of maak deze cel leeg.",
        "fr": "{where} : cette question n'est posée que si {condition}, mais une réponse est présente. Vérifiez les réponses précédentes ou videz cette cellule.",
        "en": "{where}: this question is asked only if {condition}, but it has an answer. Check the earlier answers or empty this cell.",
    },
    "duplicate-respondent-wave": {
        "nl": "Rij {row}: dezelfde persoon staat meer dan eens in dit meetmoment (ook in rij {other_rows}). Houd één rij per persoon per meetmoment.",
        "fr": "Ligne {row} : la même personne figure plusieurs fois pour cette vague (aussi en ligne {other_rows}). Gardez une ligne par personne et par vague.",
        "en": "Row {row}: the same person appears more than once in this wave (also row {other_rows}). Keep one row per person per wave.",
    },
    "date-impossible": {
        "nl": "{where}: de datum {value} is onmogelijk ({reason}). Controleer de datum.",
        "fr": "{where} : la date {value} est impossible ({reason}). Vérifiez la date.",
        "en": "{where}: the date {value} is impossible ({reason}). Check the date.",
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
        "nl": "{where}: meetmoment '{value}' bestaat niet. Toegelaten: {allowed}.",
        "fr": "{where} : la vague « {value} » n'existe pas. Autorisées : {allowed}.",
        "en": "{where}: wave '{value}' does not exist. Allowed: {allowed}.",
    },
    "identifier-invalid": {
        "nl": "{where}: het identificatienummer is ongeldig ({reason}). Controleer het nummer (het wordt hier niet getoond).",
        "fr": "{where} : le numéro d'identification est invalide ({reason}). Vérifiez le numéro (il n'est pas affiché ici).",
        "en": "{where}: the identifier is invalid ({reason}). Check the number (it is not shown here).",
    },
    "identifier-missing": {
        "nl": "{where}: het identificatienummer ontbreekt. Zonder nummer kunnen de gegevens niet gekoppeld worden.",
        "fr": "{where} : le numéro d'identification manque. Sans numéro, les données ne peuvent pas être reliées.",
        "en": "{where}: the identifier is missing. Without it the data cannot be linked.",
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
    },
    # -- added for files as coordinators' tools write them -------------------
    "file-missing": {
        "nl": "Het bestand '{file}' bestaat niet. Controleer de naam en de map (let op hoofdletters en de extensie).",
        "fr": "Le fichier « {file} » n'existe pas. Vérifiez le nom et le dossier (majuscules et extension comprises).",
        "en": "The file '{file}' does not exist. Check the name and the folder (capitals and the extension included).",
    },
    "file-is-directory": {
        "nl": "'{file}' is een map, geen bestand. Geef het bestand in die map op.",
        "fr": "« {file} » est un dossier, pas un fichier. Indiquez le fichier qui se trouve dans ce dossier.",
        "en": "'{file}' is a folder, not a file. Give the file inside that folder.",
    },
    "file-not-regular": {
        "nl": "'{file}' is geen gewoon bestand. Bewaar de gegevens als bestand en geef dat op.",
        "fr": "« {file} » n'est pas un fichier ordinaire. Enregistrez les données dans un fichier et indiquez celui-ci.",
        "en": "'{file}' is not an ordinary file. Save the data as a file and give that file.",
    },
    "file-no-permission": {
        "nl": "Het bestand '{file}' kan niet geopend worden: u hebt geen leesrechten. Kopieer het naar uw eigen map of vraag toegang.",
        "fr": "Le fichier « {file} » ne peut pas être ouvert : vous n'avez pas le droit de le lire. Copiez-le dans votre dossier ou demandez l'accès.",
        "en": "The file '{file}' cannot be opened: you may not read it. Copy it to your own folder or ask for access.",
    },
    "sheet-ignored": {
        "nl": "We lazen de gegevens van het blad '{used}'; de andere bladen ({sheets}) werden niet gelezen.",
        "fr": "Nous avons lu les données de la feuille « {used} » ; les autres feuilles ({sheets}) n'ont pas été lues.",
        "en": "We read the data from the sheet '{used}'; the other sheets ({sheets}) were not read.",
    },
    "header-row-moved": {
        "nl": "De kolomnamen staan op rij {header_row}, niet op rij 1. We lazen de gegevens vanaf rij {first_row}; wat erboven staat, werd overgeslagen.",
        "fr": "Les noms de colonnes se trouvent en ligne {header_row}, pas en ligne 1. Nous avons lu les données à partir de la ligne {first_row} ; ce qui se trouve au-dessus a été ignoré.",
        "en": "The column names are on row {header_row}, not row 1. We read the data from row {first_row}; what is above was skipped.",
    },
    "header-not-found": {
        "nl": "We vinden de rij met de kolomnamen niet: rij {header_row} heeft {blank} kolommen zonder naam. Zet de kolomnamen uit het sjabloon in één rij boven de gegevens.",
        "fr": "Nous ne trouvons pas la ligne des noms de colonnes : la ligne {header_row} a {blank} colonnes sans nom. Placez les noms de colonnes du modèle sur une seule ligne au-dessus des données.",
        "en": "We cannot find the row with the column names: row {header_row} has {blank} columns without a name. Put the column names from the template in one row above the data.",
    },
    "value-labels-mismatch": {
        "nl": "{where}: de labels in het bestand passen niet bij de vragenlijst ({labels}). De vragenlijst gebruikt: {allowed}. Gebruik deze codes, of exporteer het bestand opnieuw met de labels van het sjabloon.",
        "fr": "{where} : les libellés du fichier ne correspondent pas au questionnaire ({labels}). Le questionnaire utilise : {allowed}. Utilisez ces codes ou exportez à nouveau le fichier avec les libellés du modèle.",
        "en": "{where}: the labels in the file do not match the questionnaire ({labels}). The questionnaire uses: {allowed}. Use these codes, or export the file again with the template's labels.",
    },
    "value-labels-recoded": {
        "nl": "{where}: het programma dat dit bestand schreef, nummerde de antwoorden anders. We zetten ze om volgens hun labels: {mapping}. Controleer dit in het bestand.",
        "fr": "{where} : le programme qui a écrit ce fichier a numéroté les réponses autrement. Nous les avons converties selon leurs libellés : {mapping}. Vérifiez-le dans le fichier.",
        "en": "{where}: the program that wrote this file numbered the answers differently. We converted them by their labels: {mapping}. Check this in the file.",
    },
    "labels-converted": {
        "nl": {"one": "{where}: {count} antwoord was als tekst ingevuld in plaats van als code; we namen de overeenkomstige code ({allowed}).",
               "other": "{where}: {count} antwoorden waren als tekst ingevuld in plaats van als code; we namen de overeenkomstige codes ({allowed})."},
        "fr": {"one": "{where} : {count} réponse était saisie en texte au lieu d'un code ; nous avons pris le code correspondant ({allowed}).",
               "other": "{where} : {count} réponses étaient saisies en texte au lieu d'un code ; nous avons pris les codes correspondants ({allowed})."},
        "en": {"one": "{where}: {count} answer was typed as text instead of a code; we used the matching code ({allowed}).",
               "other": "{where}: {count} answers were typed as text instead of a code; we used the matching codes ({allowed})."},
    },
    "date-order-mixed": {
        "nl": "{where}: de datums staan niet allemaal in dezelfde volgorde: {day_first} kan alleen dag/maand/jaar zijn, {month_first} alleen maand/dag/jaar. Schrijf alle datums als dag/maand/jaar (of jaar-maand-dag).",
        "fr": "{where} : les dates ne sont pas toutes dans le même ordre : {day_first} ne peut être que jour/mois/année, {month_first} que mois/jour/année. Écrivez toutes les dates en jour/mois/année (ou année-mois-jour).",
        "en": "{where}: the dates are not all in the same order: {day_first} can only be day/month/year, {month_first} only month/day/year. Write every date as day/month/year (or year-month-day).",
    },
    "date-order-month-first": {
        "nl": "De datums in dit bestand staan als maand/dag/jaar (bv. {example}: de maand kan geen {month} zijn). We lazen alle datums zo. Controleer een paar datums.",
        "fr": "Les dates de ce fichier sont écrites mois/jour/année (p. ex. {example} : le mois ne peut pas être {month}). Nous avons lu toutes les dates ainsi. Vérifiez quelques dates.",
        "en": "The dates in this file are written month/day/year (e.g. {example}: the month cannot be {month}). We read every date that way. Check a few dates.",
    },
    "date-order-assumed": {
        "nl": "Geen enkele datum in dit bestand toont of het dag/maand/jaar of maand/dag/jaar is (bv. {example}). We lazen ze als dag/maand/jaar. Schrijft uw programma de maand eerst, dien het bestand dan in met --date-order mdy.",
        "fr": "Aucune date de ce fichier ne montre s'il s'agit de jour/mois/année ou de mois/jour/année (p. ex. {example}). Nous les avons lues en jour/mois/année. Si votre programme écrit le mois en premier, envoyez le fichier avec --date-order mdy.",
        "en": "No date in this file shows whether it is day/month/year or month/day/year (e.g. {example}). We read them as day/month/year. If your program writes the month first, submit the file with --date-order mdy.",
    },
    "date-before-min": {
        "nl": "{where}: de datum {value} ligt vóór {low}. {hint}",
        "fr": "{where} : la date {value} est antérieure au {low}. {hint}",
        "en": "{where}: the date {value} is before {low}. {hint}",
    },
    "date-after-max": {
        "nl": "{where}: de datum {value} ligt na {high}. {hint}",
        "fr": "{where} : la date {value} est postérieure au {high}. {hint}",
        "en": "{where}: the date {value} is after {high}. {hint}",
    },
    "range-below-min": {
        "nl": "{where}: {value} is kleiner dan het minimum ({low}). Controleer het antwoord op de vragenlijst.",
        "fr": "{where} : {value} est inférieur au minimum ({low}). Vérifiez la réponse sur le questionnaire.",
        "en": "{where}: {value} is below the minimum ({low}). Check the answer on the questionnaire.",
    },
    "range-above-max": {
        "nl": "{where}: {value} is groter dan het maximum ({high}). Controleer het antwoord op de vragenlijst.",
        "fr": "{where} : {value} est supérieur au maximum ({high}). Vérifiez la réponse sur le questionnaire.",
        "en": "{where}: {value} is above the maximum ({high}). Check the answer on the questionnaire.",
    },
    "identifier-leading-zero": {
        "nl": {"one": "{where}: het nummer in rij {rows} heeft te weinig cijfers ({digits} cijfers verwacht). {cause} Maak de kolom op als tekst en typ het nummer met de nullen vooraan.",
               "other": "{where}: {count} nummers hebben te weinig cijfers (rijen {rows}; {digits} cijfers verwacht). {cause} Maak de kolom op als tekst en typ de nummers met de nullen vooraan."},
        "fr": {"one": "{where} : le numéro de la ligne {rows} a trop peu de chiffres ({digits} chiffres attendus). {cause} Mettez la colonne au format texte et tapez le numéro avec ses zéros initiaux.",
               "other": "{where} : {count} numéros ont trop peu de chiffres (lignes {rows} ; {digits} chiffres attendus). {cause} Mettez la colonne au format texte et tapez les numéros avec leurs zéros initiaux."},
        "en": {"one": "{where}: the number in row {rows} has too few digits ({digits} digits expected). {cause} Format the column as text and type the number with its leading zeros.",
               "other": "{where}: {count} numbers have too few digits (rows {rows}; {digits} digits expected). {cause} Format the column as text and type the numbers with their leading zeros."},
    },
    "stata-missing-unlabelled": {
        "nl": {"one": "{where}: in rij {rows} staat de ontbrekende waarde {letters} van Stata zonder label, zodat niet te zien is of ze weet niet of wil niet antwoorden betekent. Geef {letters} in het bestand het label “Weet niet” of “Wil niet antwoorden”, of vul een van deze codes in: {allowed}.",
               "other": "{where}: in de rijen {rows} staan {count} ontbrekende waarden van Stata zonder label ({letters}), zodat niet te zien is of ze weet niet of wil niet antwoorden betekenen. Geef {letters} in het bestand het label “Weet niet” of “Wil niet antwoorden”, of vul een van deze codes in: {allowed}."},
        "fr": {"one": "{where} : la ligne {rows} contient la valeur manquante Stata {letters} sans libellé ; on ne peut donc pas savoir si elle signifie « ne sait pas » ou « refuse de répondre ». Donnez à {letters} le libellé « Ne sait pas » ou « Refuse de répondre » dans le fichier, ou saisissez l'un de ces codes : {allowed}.",
               "other": "{where} : les lignes {rows} contiennent {count} valeurs manquantes Stata sans libellé ({letters}) ; on ne peut donc pas savoir si elles signifient « ne sait pas » ou « refuse de répondre ». Donnez à {letters} le libellé « Ne sait pas » ou « Refuse de répondre » dans le fichier, ou saisissez l'un de ces codes : {allowed}."},
        "en": {"one": "{where}: row {rows} holds Stata's missing value {letters} without a label, so it cannot be told whether it means don't know or refused. Give {letters} the label “Don't know” or “Refused” in the file, or enter one of these codes: {allowed}.",
               "other": "{where}: rows {rows} hold {count} Stata missing values without a label ({letters}), so it cannot be told whether they mean don't know or refused. Give {letters} the label “Don't know” or “Refused” in the file, or enter one of these codes: {allowed}."},
    },
    "site-not-checked": {
        "nl": "De gevangenis werd niet nagekeken: geef --site op (bv. --site P03) om te controleren dat alle rijen bij uw gevangenis horen.",
        "fr": "La prison n'a pas été vérifiée : indiquez --site (p. ex. --site P03) pour contrôler que toutes les lignes concernent votre prison.",
        "en": "The prison was not checked: give --site (e.g. --site P03) to check that every row belongs to your prison.",
    },
    "odk-columns-read": {
        "nl": "Dit is een export van ODK Central: {meta} kolommen van ODK werden niet gelezen, groepsnamen voor de vraagnamen werden weggelaten en meerkeuzeantwoorden werden gesplitst.",
        "fr": "Ceci est un export d'ODK Central : {meta} colonnes d'ODK n'ont pas été lues, les noms de groupe devant les noms de questions ont été retirés et les réponses à choix multiple ont été séparées.",
        "en": "This is an ODK Central export: {meta} ODK columns were not read, group names before the question names were removed and multiple-choice answers were split.",
    },
    # -- coded interview segments (evaluation.qda) ----------------------------------
    "code-unknown": {
        "nl": "De code '{value}' (transcriptie {transcript}) staat niet in het codeboek ({codebook}). Gebruik een code of label uit het codeboek, of vraag het onderzoeksteam om de code toe te voegen in een nieuwe versie.",
        "fr": "Le code « {value} » (transcription {transcript}) ne figure pas dans le livre de codes ({codebook}). Utilisez un code ou un libellé du livre de codes, ou demandez à l'équipe de recherche de l'ajouter dans une nouvelle version.",
        "en": "The code '{value}' (transcript {transcript}) is not in the codebook ({codebook}). Use a code or label from the codebook, or ask the research team to add it in a new version.",
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
        "nl": {"one": "Het codeerprogramma telt posities anders ({convention}); {n} fragment kwam pas zo overeen. We hebben de posities omgerekend naar tekens. Niets te doen.",
               "other": "Het codeerprogramma telt posities anders ({convention}); {n} fragmenten kwamen pas zo overeen. We hebben de posities omgerekend naar tekens. Niets te doen."},
        "fr": {"one": "Le logiciel de codage compte les positions autrement ({convention}) ; {n} extrait ne correspondait qu'ainsi. Nous avons converti les positions en caractères. Rien à faire.",
               "other": "Le logiciel de codage compte les positions autrement ({convention}) ; {n} extraits ne correspondaient qu'ainsi. Nous avons converti les positions en caractères. Rien à faire."},
        "en": {"one": "The coding program counts positions differently ({convention}); {n} segment only matched that way. We converted the positions to characters. Nothing to do.",
               "other": "The coding program counts positions differently ({convention}); {n} segments only matched that way. We converted the positions to characters. Nothing to do."},
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
        "nl": "{where}: verschilt van de vorige rijen van dezelfde transcriptie. Eén transcriptie hoort bij één deelnemer, rol en gevangenis.",
        "fr": "{where} : diffère des lignes précédentes de la même transcription. Une transcription correspond à un seul participant, rôle et prison.",
        "en": "{where}: differs from earlier rows of the same transcript. One transcript belongs to one participant, role and prison.",
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
    "qdpx-no-codings": {
        "nl": {"one": "Het project bevat nog geen gecodeerde fragmenten; de {n} transcriptie wordt bewaard zonder fragmenten. Importeer het project opnieuw zodra er gecodeerd is.",
               "other": "Het project bevat nog geen gecodeerde fragmenten; de {n} transcripties worden bewaard zonder fragmenten. Importeer het project opnieuw zodra er gecodeerd is."},
        "fr": {"one": "Le projet ne contient encore aucun extrait codé ; la transcription ({n}) est conservée sans extraits. Importez à nouveau le projet une fois le codage fait.",
               "other": "Le projet ne contient encore aucun extrait codé ; les {n} transcriptions sont conservées sans extraits. Importez à nouveau le projet une fois le codage fait."},
        "en": {"one": "The project has no coded segments yet; its {n} transcript is kept without segments. Import the project again once it is coded.",
               "other": "The project has no coded segments yet; its {n} transcripts are kept without segments. Import the project again once it is coded."},
    },
    "qdpx-schema": {
        "nl": "Het project volgt de REFI-QDA-standaard niet helemaal ({detail}). We lazen wat we konden; controleer het resultaat.",
        "fr": "Le projet ne suit pas entièrement la norme REFI-QDA ({detail}). Nous avons lu ce que nous pouvions ; vérifiez le résultat.",
        "en": "The project does not fully follow the REFI-QDA standard ({detail}). We read what we could; check the result.",
    },
}

_EXPECTED = {  # (is not ..., enter ...) per language
    "integer": {"nl": ("geen geheel getal", "een geheel getal"), "fr": ("un nombre entier",) * 2,
                "en": ("a whole number",) * 2},
    "number": {"nl": ("geen getal", "een getal"), "fr": ("un nombre",) * 2, "en": ("a number",) * 2},
    "date": {"nl": ("geen datum (dd/mm/jjjj)", "een datum (dd/mm/jjjj)"), "fr": ("une date (jj/mm/aaaa)",) * 2,
             "en": ("a date (dd/mm/yyyy)",) * 2},
    "code": {"nl": ("geen code", "een code"), "fr": ("un code",) * 2, "en": ("a code",) * 2},
}
_ANSWER = {"nl": "het antwoord", "fr": "la réponse", "en": "the answer"}
_WHERE = {
    "nl": {"row": "Rij {row}", "question": "{question} (kolom '{column}')", "column": "kolom '{column}'"},
    "fr": {"row": "Ligne {row}", "question": "{question} (colonne « {column} »)", "column": "colonne « {column} »"},
    "en": {"row": "Row {row}", "question": "{question} (column '{column}')", "column": "column '{column}'"},
}


class _Safe(dict):
    def __missing__(self, key):
        return ""


def _in_lang(value, lang: str):
    """A parameter given per language (``{"nl": ..., "fr": ..., "en": ...}``) in ``lang``."""
    if isinstance(value, dict) and set(value) and set(value) <= set(LANGS):
        return value.get(lang) or value.get("en", "")
    return value


def plural_form(lang: str, n: int) -> str:
    """The CLDR plural category of ``n`` in ``lang`` (``"one"``, ``"other"``), from Babel."""
    from babel import Locale

    return Locale.parse(lang).plural_form(abs(int(n)))


def pick(template, lang: str, n: int | None):
    """A template that may come in plural forms (``{"one": ..., "other": ...}``) for the count ``n``."""
    if isinstance(template, dict):
        form = plural_form(lang, n if n is not None else 2)
        return template.get(form) or template["other"]
    return template


def _where(problem, params, lang: str) -> str:
    w = _WHERE[lang]
    parts = []
    if problem.row is not None:
        parts.append(w["row"].format(row=problem.row))
    if problem.column:
        q = _in_lang(params.get("question"), lang)
        part = (w["question"].format(question=q, column=problem.column) if q
                else w["column"].format(column=problem.column))
        parts.append(part)
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def render(problem, lang: str = "en") -> str:
    """The message for ``problem`` in ``lang`` (``nl``, ``fr`` or ``en``)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    templates = MESSAGES.get(problem.code)
    if problem.code == "type-error" and problem.params.get("allowed"):
        templates = MESSAGES["type-error-choice"]
    if templates is None:
        return f"{problem.code} (row {problem.row}, column {problem.column})"
    params = _Safe({k: _in_lang(v, lang) for k, v in problem.params.items()})
    reason = problem.params.get(f"reason_{lang}")
    if reason:
        params["reason"] = reason
    count = params.get("count", params.get("n"))
    template = pick(templates[lang], lang, count if isinstance(count, int) else None)
    if problem.value is None:
        template = template.replace("'{value}'", "{value}").replace("« {value} »", "{value}")
        value = _ANSWER[lang]
    else:
        value = problem.value
    params.update(row=problem.row, column=problem.column, value=value, where=_where(problem, problem.params, lang))
    exp = problem.params.get("expected")
    if exp in _EXPECTED:
        params["expected_not"], params["expected"] = _EXPECTED[exp][lang][0], _EXPECTED[exp][lang][-1]
    text = Formatter().vformat(template, (), params)
    text = re.sub(r"\s+([.,])(\s|$)", r"\1\2", text)  # an empty parameter before a full stop
    text = re.sub(r"  +", " ", text).strip()
    return text[:1].upper() + text[1:]


#: The verdict, the first sentence of every report (``{n}`` problems, ``{w}`` warnings).
VERDICT = {
    "accepted": {"nl": "Dit bestand is aanvaard en bewaard.", "fr": "Ce fichier est accepté et enregistré.",
                 "en": "This file is accepted and stored."},
    "rejected": {"nl": "Dit bestand is niet aanvaard: er werd niets bewaard.",
                 "fr": "Ce fichier n'est pas accepté : rien n'a été enregistré.",
                 "en": "This file is not accepted: nothing was stored."},
    "duplicate": {"nl": "Dit bestand werd al eerder aanvaard; het wordt niet nog eens bewaard.",
                  "fr": "Ce fichier a déjà été accepté ; il n'est pas enregistré une seconde fois.",
                  "en": "This file was accepted before; it is not stored again."},
    "check-ok": {"nl": "Dit bestand wordt aanvaard.", "fr": "Ce fichier sera accepté.",
                 "en": "This file will be accepted."},
    "check-bad": {"nl": "Dit bestand wordt niet aanvaard.", "fr": "Ce fichier ne sera pas accepté.",
                  "en": "This file will not be accepted."},
}
_COUNTS = {
    "errors": {"nl": {"one": "{n} fout", "other": "{n} fouten"}, "fr": {"one": "{n} erreur", "other": "{n} erreurs"},
               "en": {"one": "{n} error", "other": "{n} errors"}},
    "warnings": {"nl": {"one": "{n} waarschuwing", "other": "{n} waarschuwingen"},
                 "fr": {"one": "{n} avertissement", "other": "{n} avertissements"},
                 "en": {"one": "{n} warning", "other": "{n} warnings"}},
    "rows": {"nl": {"one": "{n} rij", "other": "{n} rijen"}, "fr": {"one": "{n} ligne", "other": "{n} lignes"},
             "en": {"one": "{n} row", "other": "{n} rows"}},
}
_HEAD = {
    "nl": {"file": "Bestand", "questionnaire": "Vragenlijst", "prison": "Gevangenis", "unknown": "onbekend",
           "not_given": "niet opgegeven", "fix": "Te verbeteren", "note": "Ter info", "none": "Geen problemen gevonden.",
           "and": "en", "id": "Inzending"},
    "fr": {"file": "Fichier", "questionnaire": "Questionnaire", "prison": "Prison", "unknown": "inconnu",
           "not_given": "non indiquée", "fix": "À corriger", "note": "Pour information",
           "none": "Aucun problème trouvé.", "and": "et", "id": "Envoi"},
    "en": {"file": "File", "questionnaire": "Questionnaire", "prison": "Prison", "unknown": "unknown",
           "not_given": "not given", "fix": "To correct", "note": "For information", "none": "No problems found.",
           "and": "and", "id": "Submission"},
}


def count_text(kind: str, n: int, lang: str) -> str:
    """``"1 fout"``, ``"3 fouten"``: a count with its noun in the right plural form."""
    return pick(_COUNTS[kind][lang], lang, n).format(n=n)


def verdict(report) -> str:
    """The report's first sentence: whether the file is (or would be) accepted."""
    lang = report.lang
    if report.status == "checked":
        key = "check-ok" if report.valid else "check-bad"
    else:
        key = report.status
    return VERDICT[key][lang]


def render_report(report) -> str:
    """A plain-text report in the report's language: the verdict first, then every problem on its own line."""
    lang = report.lang
    h = _HEAD[lang]
    problems = report.sorted_problems()
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    lines = [verdict(report)]
    counts = []
    if errors:
        counts.append(count_text("errors", len(errors), lang))
    if warnings:
        counts.append(count_text("warnings", len(warnings), lang))
    lines.append(f" {h['and']} ".join(counts) + "." if counts else h["none"])
    lines.append("")
    lines.append(f"{h['file']}: {report.file}")
    lines.append(f"{h['questionnaire']}: {report.instrument or h['unknown']}   "
                 f"{h['prison']}: {report.site or h['not_given']}   {count_text('rows', report.n_rows, lang)}")
    if report.submission_id:
        lines.append(f"{h['id']}: {report.submission_id}")
    if errors:
        lines.append("")
        lines.append(f"{h['fix']}:")
        lines.extend(f"  - {p.message(lang)}" for p in errors)
    if warnings:
        lines.append("")
        lines.append(f"{h['note']}:")
        lines.extend(f"  - {p.message(lang)}" for p in warnings)
    return "\n".join(lines)


#: Why intake cannot start, for the key cases (``IntakeRefused.code``); others print their own text.
KEY_MESSAGES: dict[str, dict[str, str]] = {
    "key-missing": {
        "nl": "Er is geen pseudonimiseringssleutel: zonder sleutel worden geen gegevens bewaard. Vraag de sleutel aan de verwerkingsverantwoordelijke en zet hem in de omgevingsvariabele PEER_EVAL_KEY, of geef --key-file met het pad van het sleutelbestand.",
        "fr": "Il n'y a pas de clé de pseudonymisation : sans clé, aucune donnée n'est enregistrée. Demandez la clé au responsable du traitement et placez-la dans la variable d'environnement PEER_EVAL_KEY, ou indiquez --key-file avec le chemin du fichier de clé.",
        "en": "There is no pseudonymisation key: without one no data are stored. Ask the data controller for the key and set it in the environment variable PEER_EVAL_KEY, or give --key-file with the path of the key file.",
    },
    "key-file-missing": {
        "nl": "Het sleutelbestand {source} bestaat niet. Controleer het pad dat u na --key-file gaf.",
        "fr": "Le fichier de clé {source} n'existe pas. Vérifiez le chemin indiqué après --key-file.",
        "en": "The key file {source} does not exist. Check the path you gave after --key-file.",
    },
    "key-empty": {
        "nl": "De pseudonimiseringssleutel uit {source} is leeg. Vraag de sleutel aan de verwerkingsverantwoordelijke.",
        "fr": "La clé de pseudonymisation de {source} est vide. Demandez la clé au responsable du traitement.",
        "en": "The pseudonymisation key from {source} is empty. Ask the data controller for the key.",
    },
    "key-format": {
        "nl": "De pseudonimiseringssleutel uit {source} heeft niet de juiste vorm: een sleutel bestaat uit 64 hexadecimale tekens (0-9, a-f) of base64, eventueel voorafgegaan door een versie zoals '2:'. Kopieer de sleutel opnieuw, zonder spaties of aanhalingstekens.",
        "fr": "La clé de pseudonymisation de {source} n'a pas la bonne forme : une clé comporte 64 caractères hexadécimaux (0-9, a-f) ou du base64, éventuellement précédés d'une version comme « 2: ». Copiez à nouveau la clé, sans espaces ni guillemets.",
        "en": "The pseudonymisation key from {source} does not have the right form: a key is 64 hexadecimal characters (0-9, a-f) or base64, optionally preceded by a version such as '2:'. Copy the key again, without spaces or quotation marks.",
    },
    "key-too-short": {
        "nl": "De pseudonimiseringssleutel uit {source} is te kort ({size} bytes; minstens {minimum} nodig). Kopieer de volledige sleutel opnieuw.",
        "fr": "La clé de pseudonymisation de {source} est trop courte ({size} octets ; au moins {minimum} requis). Copiez à nouveau la clé complète.",
        "en": "The pseudonymisation key from {source} is too short ({size} bytes; at least {minimum} needed). Copy the whole key again.",
    },
    "key-in-git": {
        "nl": "Het sleutelbestand {source} staat in de git-map {tree}: een sleutel mag nooit waar hij mee kan worden vastgelegd. Verplaats het naar een map buiten elke repository en geef het nieuwe pad op.",
        "fr": "Le fichier de clé {source} se trouve dans le dépôt git {tree} : une clé ne doit jamais pouvoir y être enregistrée. Déplacez-le hors de tout dépôt et indiquez son nouveau chemin.",
        "en": "The key file {source} is inside the git working tree {tree}: a key must never be where it could be committed. Move it outside any repository and give its new path.",
    },
    "key-permissions": {
        "nl": "Het sleutelbestand {source} kan door andere gebruikers gelezen of gewijzigd worden (rechten {mode}). Maak het alleen voor uzelf leesbaar (chmod 600 {source}) en probeer opnieuw.",
        "fr": "Le fichier de clé {source} peut être lu ou modifié par d'autres utilisateurs (droits {mode}). Rendez-le lisible par vous seul (chmod 600 {source}) et réessayez.",
        "en": "The key file {source} can be read or changed by other users (permissions {mode}). Make it readable only by you (chmod 600 {source}) and try again.",
    },
    "key-not-text": {
        "nl": "Het sleutelbestand {source} is geen gewone tekst (een binair bestand, of bewaard als UTF-16/'Unicode'). Bewaar de sleutel als één regel gewone tekst (UTF-8), of gebruik het sleutelbestand dat u kreeg.",
        "fr": "Le fichier de clé {source} n'est pas du texte simple (un fichier binaire, ou enregistré en UTF-16/« Unicode »). Enregistrez la clé sur une seule ligne de texte simple (UTF-8), ou utilisez le fichier de clé qui vous a été remis.",
        "en": "The key file {source} is not plain text (a binary file, or saved as UTF-16/'Unicode'). Save the key as one line of plain text (UTF-8), or use the key file you were given.",
    },
    "key-unreadable": {
        "nl": "Het sleutelbestand {source} kan niet gelezen worden. Controleer de rechten: u moet het kunnen lezen (chmod 600).",
        "fr": "Le fichier de clé {source} ne peut pas être lu. Vérifiez les droits : vous devez pouvoir le lire (chmod 600).",
        "en": "The key file {source} cannot be read. Check its permissions: it must be readable by you (chmod 600).",
    },
}


def render_refusal(exc, lang: str) -> str:
    """The text of an :class:`~evaluation.intake.submit.IntakeRefused` in ``lang`` (English for untranslated cases)."""
    code = getattr(exc, "code", None)
    params = _Safe(getattr(exc, "params", {}) or {})
    if code in KEY_MESSAGES:
        return KEY_MESSAGES[code][lang].format_map(params)
    if code in MESSAGES:
        from .problems import Problem

        return render(Problem(code, params=dict(params)), lang)
    return str(exc)
