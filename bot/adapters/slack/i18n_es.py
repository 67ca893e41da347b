"""Spanish strings: the same keys and placeholders as i18n_en.py (a test checks it).

The strings of alert messages are kept in i18n_es_alerts.py and merged in here, so `ES`
is the whole Spanish catalog.
"""

from __future__ import annotations

from bot.adapters.slack.i18n_es_alerts import ES_ALERTS

ES: dict[str, str] = {
    # shared
    "more": "…y {count} más",
    "na": "n/d",
    "ago": "hace {age}",
    "at_time": "{time} (hace {age})",
    "all_operations": "todas las operaciones",
    "as_of": "A las {time}",
    "as_of_polled": "A las {time}, consultado hace {age}",
    "never_polled": "aún sin consultar",
    "stale": (
        ":warning: Datos desactualizados: ninguna consulta exitosa desde las {since} (hace {age})."
    ),
    "stale_error": "Último error: {error}",
    "store_lost": (
        ":warning: La base de datos no responde desde las {since} (hace {age}): estas son las "
        "últimas cifras de esta réplica y pueden estar desactualizadas."
    ),
    "threshold.at": "{severity} desde {value}",
    "threshold.below": "{severity} por debajo de {value}",
    "call_line.phone": "tel. {phone}",
    "call_line.customer": "cliente {customer}",
    "call_line": "{time} · {type} · {result}",
    # display names
    "result.answer": "contestada",
    "result.abandon": "abandonada",
    "result.no_answer": "sin respuesta",
    "result.busy": "ocupada",
    "result.failed": "fallida",
    "result.congestion": "congestión",
    "result.chanunavail": "canal no disponible",
    "result.answer_machine": "contestador automático",
    "results.answer": "contestadas",
    "results.abandon": "abandonadas",
    "results.no_answer": "sin respuesta",
    "results.busy": "ocupadas",
    "results.failed": "fallidas",
    "results.congestion": "con congestión",
    "results.chanunavail": "con canal no disponible",
    "results.answer_machine": "a contestador",
    "type.conference": "conferencia",
    "type.inbound": "entrante",
    "type.outbound": "saliente",
    "type.internal_call": "llamada interna",
    "type.internal_call_inb": "llamada interna (entrante)",
    "type.internal_call_que": "llamada interna (cola)",
    "type.out_pre": "saliente (predictivo)",
    "type.outbound_ma": "saliente (manual)",
    "type.transfer": "transferencia",
    "measure.answer": "llamadas contestadas",
    "measure.abandon": "llamadas abandonadas",
    "measure.no_answer": "llamadas sin respuesta",
    "measure.busy": "llamadas ocupadas",
    "measure.failed": "llamadas fallidas",
    "measure.congestion": "llamadas con congestión",
    "measure.chanunavail": "llamadas con canal no disponible",
    "measure.answer_machine": "llamadas a contestador",
    "measure.network": "fallas de red",
    "measure.answer.one": "llamada contestada",
    "measure.abandon.one": "llamada abandonada",
    "measure.no_answer.one": "llamada sin respuesta",
    "measure.busy.one": "llamada ocupada",
    "measure.failed.one": "llamada fallida",
    "measure.congestion.one": "llamada con congestión",
    "measure.chanunavail.one": "llamada con canal no disponible",
    "measure.answer_machine.one": "llamada a contestador",
    "measure.network.one": "falla de red",
    "severity.warning": "advertencia",
    "severity.critical": "crítica",
    "state.inactive": "normal",
    "state.pending": "pendiente",
    "state.firing": "activa",
    "state.resolved": "resuelta",
    "kind.count": "conteo",
    "kind.rate": "tasa",
    "kind.spike": "pico",
    "kind.flatline": "sin llamadas",
    "kind.unavailable": "disponibilidad",
    "outcome.ok": "correcta",
    "outcome.error": "error",
    "outcome.budget_exhausted": "presupuesto diario agotado",
    "outcome.skipped": "omitida",
    "outcome.never": "nunca consultada",
    "pop.all.one": "{count} llamada",
    "pop.all.other": "{count} llamadas",
    "pop.inbound.one": "{count} llamada entrante",
    "pop.inbound.other": "{count} llamadas entrantes",
    "pop.outbound.one": "{count} llamada saliente",
    "pop.outbound.other": "{count} llamadas salientes",
    "pop.type.one": "{count} llamada de tipo {type}",
    "pop.type.other": "{count} llamadas de tipo {type}",
    # /calls last10
    "last10.header": "Llamadas de los últimos {window} · {operation}",
    "last10.filter": "Solo llamadas de tipo {filter}",
    "last10.total.one": "*{total}* llamada",
    "last10.total.other": "*{total}* llamadas",
    "last10.change": "{delta} frente a los {window} anteriores ({previous})",
    "last10.no_previous": "no hay {window} anteriores con qué comparar",
    "last10.by_result": "*Por resultado*",
    "last10.by_type": "*Por tipo*",
    "last10.abandon": "Abandono entre entrantes: *{rate}* ({matched} de {population})",
    "last10.network": "Fallas de red entre salientes: *{rate}* ({matched} de {population})",
    "last10.per_minute": "Por minuto: {spark}",
    "last10.no_calls": "No hubo llamadas en esta ventana.",
    "last10.recent": "*Últimas llamadas*",
    "last10.fallback.one": "{operation}: {total} llamada en los últimos {window}",
    "last10.fallback.other": "{operation}: {total} llamadas en los últimos {window}",
    # /calls status
    "status.header": "Estado de las consultas",
    "status.none": "No hay operaciones configuradas.",
    "status.f_last_poll": "*Última consulta*",
    "status.f_outcome": "*Resultado*",
    "status.f_budget": "*Consultas a Wolkvox hoy*",
    "status.f_firing": "*Alertas activas*",
    "status.f_silences": "*Silencios activos*",
    "status.f_every": "*Consulta cada*",
    "status.took": "{outcome} en {duration}",
    "status.budget": "{used} de {limit}",
    "status.no_budget": "{used} (sin límite)",
    "status.stale": ":warning: Desactualizado: más de dos periodos sin consultar.",
    "status.fallback.one": "Estado de las consultas de {count} operación",
    "status.fallback.other": "Estado de las consultas de {count} operaciones",
    # /calls alerts
    "alerts.header": "Alertas activas o pendientes",
    "alerts.none": ":white_check_mark: No hay alertas activas.",
    "alerts.line": "{icon} *{rule}* · {operation}: {state} desde las {since}",
    "alerts.value": "{value}; {threshold}",
    "alerts.acked": ":eyes: reconocida por {user}",
    "alerts.silenced": ":zzz: silenciada hasta las {until}",
    "alerts.fallback.one": "{count} alerta activa o pendiente",
    "alerts.fallback.other": "{count} alertas activas o pendientes",
    # /calls rules
    "rules.header": "Reglas",
    "rules.none": "No hay reglas configuradas.",
    "rules.line": "{icon} *{rule}* ({kind}) · {operation}: {value}, {state}",
    "rules.no_value": "aún sin valor",
    "rules.fallback.one": "{count} regla",
    "rules.fallback.other": "{count} reglas",
    # /calls help and usage
    "help.header": "/calls: lo que puedo hacer",
    "help.last10": (
        "`/calls últimos10 [entrantes|salientes|&lt;tipo&gt;] [&lt;operación&gt;]`: llamadas "
        "de los últimos 10 minutos por resultado y tipo. Otras ventanas: `últimos30`, "
        "`30 minutos`, `1 hora`."
    ),
    "help.status": (
        "`/calls estado`: última consulta, consultas a Wolkvox de hoy, alertas y "
        "silencios por operación."
    ),
    "help.alerts": (
        "`/calls alertas`: qué está activo o pendiente, desde cuándo y quién lo reconoció."
    ),
    "help.rules": "`/calls reglas`: cada regla con su valor actual y su estado.",
    "help.silence": (
        "`/calls silenciar &lt;regla&gt; &lt;duración&gt; [motivo]`: silencia una regla, p. "
        "ej. `/calls silenciar abandon-rate 1 hora almuerzo`."
    ),
    "help.unsilence": (
        "`/calls desilenciar &lt;regla&gt; [&lt;operación&gt;]`: levanta un silencio."
    ),
    "help.ack": (
        "`/calls reconocer &lt;regla&gt; [&lt;operación&gt;]`: reconoce una alerta activa y "
        "detiene sus recordatorios."
    ),
    "help.public": (
        "Agregue `público` a cualquier comando para mostrar la respuesta a todo el canal."
    ),
    "help.fallback": (
        "/calls: últimos10, estado, alertas, reglas, colas, agentes, silenciar, desilenciar, "
        "reconocer, historial, simular, ayuda"
    ),
    "usage.hint": "Escriba `/calls ayuda` para ver todo lo que puedo hacer.",
    "usage.unknown_command": "No conozco `{word}`.",
    "usage.missing_rule": "Indique la regla, p. ej. `{example}`.",
    "usage.missing_duration": "Indique por cuánto tiempo, p. ej. `{example}`.",
    "usage.bad_duration": "`{word}` no es una duración; escríbala como 30m, 1h, 2d o 2 horas.",
    "usage.duration_too_long": "`{word}` es demasiado; el silencio más largo es de {limit}.",
    "usage.bad_window": (
        "`{word}` no es una ventana que pueda mostrar; pruebe 10m, 30m o 1h (máximo {limit})."
    ),
    "usage.bad_time": "`{word}` no es una hora del día; escríbala como 08:00.",
    "usage.unexpected": "No esperaba `{word}` ahí.",
    "usage.too_long": "Ese comando es demasiado largo.",
    "usage.fallback": "No entendí. Escriba /calls ayuda.",
    # notices
    "notice.unknown_operation": "No conozco la operación `{subject}`. Conocidas: {options}.",
    "notice.ambiguous_operation": "Hay varias operaciones configuradas; indique una: {options}.",
    "notice.unknown_rule": "No conozco la regla `{subject}`. Conocidas: {options}.",
    "notice.window_not_covered": (
        "Solo tengo los últimos {covered} de llamadas; pida una ventana más corta."
    ),
    "notice.no_data_yet": "Aún no hay datos de `{subject}`: la primera consulta no ha terminado.",
    "notice.not_allowed": "No tiene permiso para hacer eso aquí.",
    # actions
    "action.acknowledged": ":eyes: {user} reconoció *{rule}* ({operation}).",
    "action.already_acknowledged": "*{rule}* ({operation}) ya estaba reconocida.",
    "action.silenced": ":zzz: {user} silenció *{rule}* ({operation}) hasta las {until}.",
    "action.unsilenced": ":bell: {user} levantó el silencio de *{rule}* ({operation}).",
    "action.not_silenced": "*{rule}* ({operation}) no está silenciada.",
    "action.not_firing": "*{rule}* ({operation}) no está activa: no hay nada que reconocer.",
    "action.not_allowed": "Lo siento {user}, no puede cambiar *{rule}*.",
    "action.queued": (
        ":hourglass_flowing_sand: {user}, su solicitud sobre *{rule}* ({operation}) pasó a la "
        "réplica que la consulta; el mensaje de la alerta lo mostrará en breve."
    ),
    "action.reason": "Motivo: {reason}",
    # home tab
    "home.header": "Monitor de llamadas",
    "home.none": "No hay operaciones configuradas.",
    "home.operation": ":telephone_receiver: *{operation}*",
    "home.last_poll": "Última consulta {when}: {outcome}",
    "home.last10.one": "Últimos 10 minutos: *{total}* llamada  {spark}",
    "home.last10.other": "Últimos 10 minutos: *{total}* llamadas  {spark}",
    "home.firing": "*Activas*",
    "home.no_firing": ":white_check_mark: Sin alertas activas",
    "home.silences": "*Silencios*",
    "home.silence_line": ":zzz: {rule} ({operation}) hasta las {until}{by}",
    "home.silence_by": " por {user}",
    "home.fallback.one": "Monitor de llamadas de {count} operación",
    "home.fallback.other": "Monitor de llamadas de {count} operaciones",
    # issue 12: los subcomandos en los ejemplos de uso
    "command.silence": "silenciar",
    "command.unsilence": "desilenciar",
    "command.ack": "reconocer",
    "command.help": "ayuda",
    "command.until": "hasta las",
    # issue 12: las líneas propias de la demo
    "demo.intro": (
        "callbot demo: {span} de tiempo simulado a {speed}x (unos {real}), "
        "desde el {day} a las {time} en Bogotá."
    ),
    "demo.polled": (
        "Una operación simulada de Wolkvox, '{operation}', se consulta cada {every}; "
        "escenario '{scenario}':"
    ),
    "demo.phase": "{begin}-{end}  {name}: {text}",
    "demo.normal": "tráfico normal todo el tiempo",
    "demo.incident_name.abandon_surge": "ola de abandonos",
    "demo.incident_name.trunk_failure": "falla de troncal",
    "demo.incident_name.silence": "silencio",
    "demo.incident.abandon_surge": (
        "volumen entrante x1,3, tasa de abandono entrante del 27 al 38 %"
    ),
    "demo.incident.trunk_failure": (
        "las llamadas salientes terminan sobre todo con canal no disponible (~55 %) "
        "y congestión (~25 %)"
    ),
    "demo.incident.silence": "ninguna llamada",
    "demo.where": (
        "Las alertas van a {where}. No se usa ninguna credencial; el almacén es un "
        "archivo temporal."
    ),
    "demo.where_slack": "el canal de Slack {channel}",
    "demo.where_terminal": "#{channel} (esta terminal)",
    "demo.over": "Fin de la demo tras {span} de tiempo simulado: {fired}, {updated}, {resolved}.",
    "demo.fired.one": "{count} alerta disparada",
    "demo.fired.other": "{count} alertas disparadas",
    "demo.updated.one": "{count} actualización",
    "demo.updated.other": "{count} actualizaciones",
    "demo.resolved.one": "{count} resuelta",
    "demo.resolved.other": "{count} resueltas",
    "demo.reason": "operador avisado",
    "demo.ack": "reconocer {rule}",
    "demo.silence": "silenciar {rule} 10 minutos {reason}",
    "demo.history": "historial",
    "demo.last10": "últimos10",
    "weekday.0": "lunes",
    "weekday.1": "martes",
    "weekday.2": "miércoles",
    "weekday.3": "jueves",
    "weekday.4": "viernes",
    "weekday.5": "sábado",
    "weekday.6": "domingo",
    # issue15: colas y agentes (contexto de skills / agents)
    "help.queues": (
        "`/calls colas [&lt;operación&gt;]`: cada cola ahora: en espera, % de abandono, "
        "nivel de servicio."
    ),
    "help.agents": (
        "`/calls agentes [&lt;operación&gt;]`: agentes por estado (disponibles, en llamada, "
        "en pausa)."
    ),
    "context.queues_header": "Colas",
    "context.agents_header": "Agentes",
    "context.home_title": "*Colas de {operation}*",
    "context.queue_line": (
        "*{name}*: en espera {waiting} · abandono {abandon} · nivel de servicio (20 s) {level}"
    ),
    "context.agents_line": (
        "disponibles {ready} · en llamada {talking} · en poscontacto {after_call} · "
        "en auxiliar/pausa {auxiliary} · conectados {logged_in}"
    ),
    "context.aux_states": "en pausa: {states}",
    "context.age": "Datos de Wolkvox de hace {age} ({time})",
    "context.no_queues_yet": "Aún no hay datos de colas.",
    "context.no_queues": "Wolkvox no lista ninguna cola.",
    "context.no_agents_yet": "Aún no hay datos de agentes.",
    "context.reserve_queues": (
        ":warning: sin detalle de colas: se alcanzó la reserva del presupuesto"
    ),
    "context.reserve_agents": (
        ":warning: sin detalle de agentes: se alcanzó la reserva del presupuesto"
    ),
    "context.stopped_queues": ":warning: sin detalle de colas: la consulta está detenida",
    "context.stopped_agents": ":warning: sin detalle de agentes: la consulta está detenida",
    "context.failed_queues": ":warning: sin detalle reciente de colas: {error}",
    "context.failed_agents": ":warning: sin detalle reciente de agentes: {error}",
    "context.elsewhere_queues": (
        "según lo guardó la réplica que consulta esta operación (solo ella consulta Wolkvox)"
    ),
    "context.elsewhere_agents": (
        "según lo guardó la réplica que consulta esta operación (solo ella consulta Wolkvox)"
    ),
    # issue 13: /calls backtest
    "help.backtest": (
        "`/calls simular &lt;regla&gt; [&lt;operación&gt;] [24h|7d] [clave=valor ...]`: qué "
        "habría hecho la regla con el historial guardado, tal como está o con otros valores "
        "(`warning=10% min_calls=30 for=3`)."
    ),
    "backtest.fired": (
        "*{rule}* ({operation}){changes} habría disparado {times} en {window} de historial: "
        "{incidents}"
    ),
    "backtest.quiet": (
        "*{rule}* ({operation}){changes} no habría disparado en {window} de historial."
    ),
    "backtest.with": " con {changes}",
    "backtest.once": "una vez",
    "backtest.times": "{count} veces",
    "backtest.incident": "{span} {severity}, pico {peak}",
    "backtest.still": "sigue activa",
    "backtest.more": "y {count} más",
    "backtest.how": (
        "Repetido sobre el historial por minuto guardado, con la regla tal como la ejecuta el "
        "bot; no se publicó nada."
    ),
    "backtest.bad_change": (
        "No puedo probar eso: {why}. Por ejemplo: "
        "`/calls backtest abandon-rate 7d warning=10% critical=20% min_calls=30 for=3`."
    ),
    "backtest.change.key": "`{field}` no es ninguno de {keys}",
    "backtest.change.duration": "`{field}={given}` no es una duración como 10m",
    "backtest.change.number": "`{field}={given}` no es un número",
    "backtest.change.whole": "`{field}={given}` no es un número entero",
    "backtest.change.share": (
        "`{field}={given}`: el nivel de una tasa es una proporción como 10% o 0.1"
    ),
    "backtest.change.recover_critical": (
        "`recover_critical={given}` debe estar entre recover y critical: una alerta crítica "
        "sigue crítica hasta que el valor baja de él"
    ),
    "backtest.change.order": "warning está por encima de critical",
    **ES_ALERTS,
}


ES_DESCRIPTIONS: dict[str, str] = {
    # issue 12: the shipped rules' descriptions (bot/defaults/rules.yml), keyed by their
    # English text; a test fails when a default rule's description has no entry here.
    "Inbound callers hanging up before an agent answers": (
        "Clientes que cuelgan antes de que un agente conteste"
    ),
    "Outbound calls failing in the network (chanunavail, congestion, failed)": (
        "Llamadas salientes que fallan en la red (canal no disponible, congestión, fallidas)"
    ),
    "Outbound network failures four times above the previous hour": (
        "Fallas de red salientes cuatro veces por encima de la hora anterior"
    ),
    "No inbound calls during business hours (trunk or routing down)": (
        "Sin llamadas entrantes en horario laboral (troncal o enrutamiento caído)"
    ),
    "Calls answered within 20 seconds, per queue": (
        "Llamadas contestadas en menos de 20 segundos, por cola"
    ),
    "Wolkvox cannot be polled or its data is stale; other rules are held": (
        "No se puede consultar Wolkvox o sus datos están desactualizados; las demás reglas "
        "esperan hasta que responda"
    ),
}
"""Spanish for the English descriptions callbot ships (default rules, built-in rule)."""
