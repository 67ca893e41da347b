"""What `callbot doctor` says, in English and Spanish (the configuration's `language`).

Kept apart from the Slack i18n tables: these lines are for the person at the terminal
setting the bot up, not for a channel, and each failure carries its fix.
"""

from __future__ import annotations

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {
    "title": ("callbot doctor: {source}", "callbot doctor: {source}"),
    "mark.ok": ("[ok]  ", "[ok]  "),
    "mark.fail": ("[FAIL]", "[FALLA]"),
    "mark.skip": ("[skip]", "[omitido]"),
    "fix": ("fix", "solución"),
    "summary.ok": ("All {count} checks passed.", "Las {count} comprobaciones pasaron."),
    "summary.fail": (
        "{failed} of {count} checks failed.",
        "{failed} de {count} comprobaciones fallaron.",
    ),
    # configuration
    "config": ("configuration", "configuración"),
    "config.ok": (
        "{source} is valid (operations: {operations}, rules: {rules})",
        "{source} es válida (operaciones: {operations}, reglas: {rules})",
    ),
    "config.fail": ("{error}", "{error}"),
    "config.fix": (
        "correct the fields named above (`callbot check-config` shows the same report)",
        "corrija los campos indicados arriba (`callbot check-config` muestra el mismo informe)",
    ),
    "needs.config": ("needs a valid configuration", "requiere una configuración válida"),
    "needs.token": ("needs a working bot token", "requiere un token de bot que funcione"),
    # bot token
    "bot_token": ("Slack bot token", "token del bot de Slack"),
    "bot_token.missing": ("SLACK_BOT_TOKEN is not set", "SLACK_BOT_TOKEN no está definido"),
    "bot_token.missing.fix": (
        "copy the Bot User OAuth Token (xoxb-...) from OAuth & Permissions into SLACK_BOT_TOKEN",
        "copie el Bot User OAuth Token (xoxb-...) de OAuth & Permissions en SLACK_BOT_TOKEN",
    ),
    "bot_token.ok": (
        "auth.test accepted it: workspace {team}, user {user}",
        "auth.test lo aceptó: espacio de trabajo {team}, usuario {user}",
    ),
    "bot_token.refused": ("Slack refused it ({detail})", "Slack lo rechazó ({detail})"),
    "bot_token.refused.fix": (
        "set SLACK_BOT_TOKEN to the current Bot User OAuth Token; reinstall the app if it "
        "was revoked",
        "ponga en SLACK_BOT_TOKEN el Bot User OAuth Token actual; reinstale la app si fue revocado",
    ),
    "unreachable": (
        "Slack could not be reached ({detail})",
        "no se pudo contactar a Slack ({detail})",
    ),
    "unreachable.fix": (
        "check this machine's access to slack.com (proxy, firewall, DNS), or SLACK_API_URL",
        "revise el acceso de esta máquina a slack.com (proxy, firewall, DNS) o SLACK_API_URL",
    ),
    "scopes": ("bot token scopes", "permisos (scopes) del token"),
    "scopes.ok": ("has {scopes}", "tiene {scopes}"),
    "scopes.unknown": (
        "Slack did not list the token's scopes (no x-oauth-scopes header)",
        "Slack no indicó los permisos del token (sin cabecera x-oauth-scopes)",
    ),
    "scopes.missing": ("missing {missing}", "faltan {missing}"),
    "scopes.fix": (
        "add them under OAuth & Permissions > Bot Token Scopes (manifest.yml lists them), then "
        "reinstall the app: {why}",
        "agréguelos en OAuth & Permissions > Bot Token Scopes (manifest.yml los lista) y "
        "reinstale la app: {why}",
    ),
    # socket mode / http
    "app_token": ("Socket Mode app token", "token de app para Socket Mode"),
    "app_token.missing": ("SLACK_APP_TOKEN is not set", "SLACK_APP_TOKEN no está definido"),
    "app_token.fix": (
        "generate an app-level token with scope connections:write under Basic Information > "
        "App-Level Tokens and put it (xapp-...) in SLACK_APP_TOKEN; or run with --http",
        "genere un token de nivel de app con el permiso connections:write en Basic "
        "Information > App-Level Tokens y póngalo (xapp-...) en SLACK_APP_TOKEN; o use --http",
    ),
    "app_token.ok": (
        "apps.connections.open gave a Socket Mode URL",
        "apps.connections.open entregó una URL de Socket Mode",
    ),
    "app_token.refused": ("Slack refused it ({detail})", "Slack lo rechazó ({detail})"),
    "signing": ("HTTP mode signing secret", "secreto de firma del modo HTTP"),
    "signing.ok": ("SLACK_SIGNING_SECRET is set", "SLACK_SIGNING_SECRET está definido"),
    "signing.missing": (
        "SLACK_SIGNING_SECRET is not set",
        "SLACK_SIGNING_SECRET no está definido",
    ),
    "signing.fix": (
        "copy Basic Information > App Credentials > Signing Secret into SLACK_SIGNING_SECRET",
        "copie Basic Information > App Credentials > Signing Secret en SLACK_SIGNING_SECRET",
    ),
    # channels
    "channel": ("alert channel {channel}", "canal de alertas {channel}"),
    "channel.ok": ("the bot is a member", "el bot es miembro"),
    "channel.outside": ("the bot is not a member", "el bot no es miembro"),
    "channel.outside.fix": (
        "type /invite @callbot in that channel",
        "escriba /invite @callbot en ese canal",
    ),
    "channel.not_found": (
        "not found (a wrong id, or a private channel the bot is not in)",
        "no encontrado (un id equivocado, o un canal privado sin el bot)",
    ),
    "channel.not_found.fix": (
        "check the id (channel details, at the bottom) and invite the bot: /invite @callbot",
        "revise el id (detalles del canal, al final) e invite al bot: /invite @callbot",
    ),
    "channel.unknown": ("could not be checked ({detail})", "no se pudo comprobar ({detail})"),
    "channel.unknown.fix": (
        "run doctor again once Slack answers",
        "ejecute doctor de nuevo cuando Slack responda",
    ),
    # store
    "store": ("store {path}", "almacén {path}"),
    "store.new": (
        "does not exist yet; it will be created at start (schema version {latest})",
        "aún no existe; se creará al iniciar (versión de esquema {latest})",
    ),
    "store.current": (
        "schema version {version} (current)",
        "versión de esquema {version} (actual)",
    ),
    "store.older": (
        "schema version {version}; callbot migrates it to {latest} at start",
        "versión de esquema {version}; callbot la migra a {latest} al iniciar",
    ),
    "store.newer": (
        "schema version {version} is newer than this callbot knows ({latest})",
        "la versión de esquema {version} es más nueva de la que conoce este callbot ({latest})",
    ),
    "store.newer.fix": (
        "upgrade callbot, or point store.path at another file",
        "actualice callbot, o apunte store.path a otro archivo",
    ),
    "store.unreadable": ("cannot be read: {detail}", "no se puede leer: {detail}"),
    "store.unreadable.fix": (
        "check store.path, the file's permissions and free disk space",
        "revise store.path, los permisos del archivo y el espacio en disco",
    ),
    "store.pg.new": (
        "reached; no callbot tables yet: they will be created at start (schema version {latest})",
        "alcanzada; aún sin tablas de callbot: se crearán al iniciar (versión de esquema {latest})",
    ),
    "store.pg.unreachable": ("cannot be reached: {detail}", "no se puede alcanzar: {detail}"),
    "store.pg.unreachable.fix": (
        "check store.url, that PostgreSQL is running and lets this user into this database",
        "revise store.url, que PostgreSQL esté en marcha y deje entrar a este usuario a esta base",
    ),
    "store.pg.newer.fix": (
        "upgrade callbot on every replica, or point store.url at another database",
        "actualice callbot en cada réplica, o apunte store.url a otra base de datos",
    ),
    "store.dir": (
        "its directory {directory} cannot be written",
        "su directorio {directory} no se puede escribir",
    ),
    # wolkvox
    "wolkvox": ("Wolkvox operation {operation}", "operación Wolkvox {operation}"),
    "wolkvox.announce": (
        "-> {operation}: one calls_last_10 request now: 1 of the {limit} calls a day Wolkvox "
        "allows this token",
        "-> {operation}: una consulta calls_last_10 ahora: 1 de las {limit} llamadas diarias "
        "que Wolkvox permite a este token",
    ),
    "wolkvox.ok": (
        "answered: {records} calls in the last 10 minutes ({inbound} inbound, {outbound} "
        "outbound){extra}",
        "respondió: {records} llamadas en los últimos 10 minutos ({inbound} entrantes, "
        "{outbound} salientes){extra}",
    ),
    "wolkvox.skipped": (", {skipped} rows skipped", ", {skipped} filas omitidas"),
    "wolkvox.fail": ("{error}", "{error}"),
    "wolkvox.connection.fix": (
        "a refused connection is often the operation's firewall: ask the Wolkvox administrator "
        "to allow this machine's outbound IP, and check server ({server}) and base_url",
        "una conexión rechazada suele ser el firewall de la operación: pida al administrador "
        "de Wolkvox que permita la IP de salida de esta máquina, y revise server ({server}) y "
        "base_url",
    ),
    "wolkvox.token.fix": (
        "make a new token in wolkvox Manager (Configuration > Integrations > Tokens) and set "
        "the operation's token",
        "cree un token nuevo en wolkvox Manager (Configuración > Integraciones > Tokens) y "
        "póngalo en el token de la operación",
    ),
    "wolkvox.other.fix": (
        "see the error above; `callbot run` retries transient errors on every poll",
        "vea el error arriba; `callbot run` reintenta los errores pasajeros en cada consulta",
    ),
}


def say(key: str, language: str, **values: object) -> str:
    """The text for `key` in `language` ("es" or anything else for English)."""
    english, spanish = TEXTS[key]
    template = spanish if language == "es" else english
    return template.format(**values)
