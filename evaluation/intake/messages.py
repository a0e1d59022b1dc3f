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
