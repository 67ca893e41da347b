"""Spanish strings: the same keys and placeholders as i18n_en.py (a test checks it)."""

from __future__ import annotations

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
    "threshold.at": "{severity} desde {value}",
    "threshold.below": "{severity} por debajo de {value}",
    "call_line.phone": "tel. {phone}",
    "call_line.customer": "cliente {customer}",
    "call_line": "{time} · {type} · {result}",
    # display names
    "result.answer": "contestada",
    "result.abandon": "abandonada",
    "result.no_answer": "sin respuesta",
    "result.busy": "ocupado",
    "result.failed": "fallida",
    "result.congestion": "congestión",
    "result.chanunavail": "canal no disponible",
    "result.answer_machine": "contestador automático",
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
    # alert messages
    "alert.header": "{icon} {severity}: {rule} · {operation}",
    "alert.header_resolved": "{icon} Resuelta: {rule} · {operation}",
    "alert.rate": "{measure}: *{value}* de {population}; {threshold}",
    "alert.count": "*{value}* {measure} en los últimos {window}; {threshold}",
    "alert.ratio": "{measure}: *{value}* su nivel habitual ({baseline}); {threshold}",
    "alert.calls": "llamadas",
    "alert.calls.one": "llamada",
    "alert.since": "Desde las {since} ({age})",
    "alert.breakdown": "*Desglose*",
    "alert.last_hour": "Última hora: {spark}",
    "alert.acked": ":eyes: Reconocida por {user} a las {at}",
    "alert.silenced": ":zzz: Silenciada por {user} hasta las {until}",
    "alert.silenced_anon": ":zzz: Silenciada hasta las {until}",
    "alert.resolved": ":white_check_mark: Resuelta a las {at} después de {duration}; pico {peak}",
    "alert.peak": "{value} ({severity})",
    "alert.updated": "Actualizada a las {time}",
    "alert.recent": "*Últimas llamadas*",
    "alert.fallback": "{severity}: {rule} en {operation}: {value}",
    "alert.fallback_resolved": "Resuelta: {rule} en {operation} después de {duration}",
    "alert.header_removed": "{icon} Regla eliminada: {rule} · {operation}",
    "alert.removed": (
        "Esta alerta ({severity}) estaba activa desde {since}. Su regla ya no está "
        "en la configuración (eliminada o renombrada), así que se cerró a las {at} y no "
        "cambiará más."
    ),
    "alert.fallback_removed": "Cerrada: {rule} en {operation}, su regla fue eliminada",
    # why an alert reads as it does (from the evaluation's numbers, never its log text)
    "detail.share": "{matched} de {population} en {window}",
    "detail.matched.one": "{matched} llamada que coincide en {window}",
    "detail.matched.other": "{matched} llamadas que coinciden en {window}",
    "detail.expected": "{matched} llamadas frente a {expected} esperadas",
    "detail.bound": "límite inferior {bound} con {confidence} de confianza",
    "detail.recover_rise": "aún no baja del nivel de recuperación {recover}",
    "detail.recover_flat": "menos de las {recover} necesarias para recuperarse",
    "detail.outside_hours": "Fuera del horario activo: no se evalúa.",
    "detail.volume_guard": (
        "Muy pocas llamadas para evaluar: {count}, se necesitan al menos {minimum}."
    ),
    "detail.no_calls": "Sin llamadas en los últimos {window}.",
    "detail.no_baseline": "Aún no hay historial suficiente para comparar.",
    "detail.polling_gap": (
        "En espera: las consultas exitosas cubrieron solo {coverage} de los últimos {window}."
    ),
    "detail.held": "En espera mientras Wolkvox no está disponible.",
    "unavailable.stale": "Sin datos de Wolkvox desde hace *{age}*; crítica después de {limit}",
    "unavailable.never": "Wolkvox aún no ha respondido ninguna consulta",
    "unavailable.fresh": "Última consulta exitosa hace {age}",
    "unavailable.failures.one": "{count} consulta fallida seguida",
    "unavailable.failures.other": "{count} consultas fallidas seguidas",
    "unavailable.see_status": "`/calls status` muestra el último error.",
    "unavailable.description": (
        "No se puede consultar Wolkvox o sus datos están desactualizados; las demás reglas "
        "esperan hasta que responda"
    ),
    # errores de Wolkvox por tipo (el texto del cliente sigue entre paréntesis)
    "error.line": "{lead} ({message})",
    "error.configuration": "La solicitud del bot a Wolkvox es incorrecta (API o dirección)",
    "error.token_missing": "Wolkvox no recibió ningún token",
    "error.token_rejected": "Wolkvox rechazó el token",
    "error.quota_exceeded": "Se agotó la cuota diaria de consultas a Wolkvox",
    "error.concurrency_limit": "Wolkvox rechazó una solicitud simultánea",
    "error.server_backup": (
        "Wolkvox no está disponible (posiblemente por una copia de seguridad del servidor)"
    ),
    "error.server_error": "Wolkvox tuvo un error de servidor",
    "error.timeout": "Wolkvox no respondió a tiempo",
    "error.connection": "El bot no pudo conectarse con Wolkvox",
    "error.payload": "Wolkvox envió una respuesta que el bot no puede leer",
    "error.response_too_large": "La respuesta de Wolkvox fue demasiado grande",
    "error.stopped": "La consulta está detenida hasta que se corrija la configuración",
    "error.internal": "El bot falló al consultar Wolkvox (un error del bot)",
    "error.unknown": "No se pudo consultar Wolkvox",
    "reply.error": "Lo siento, no funcionó. Inténtelo de nuevo en un momento.",
    "reply.working": "Procesando: la respuesta llegará en un momento.",
    "button.ack": "Reconocer",
    "button.silence_1h": "Silenciar 1 h",
    "button.silence_tomorrow": "Silenciar hasta mañana 08:00",
    # thread notes
    "note.reminder": ":bell: Sigue activa desde las {since}: {value}",
    "note.escalated": ":arrow_up: Subió a {severity}: {value}",
    "note.deescalated": ":arrow_down: Bajó a {severity}: {value}",
    "note.resolved": ":white_check_mark: Resuelta después de {duration}.",
    "note.resolved_silenced": "Resuelta después de {duration} mientras estaba silenciada.",
    "note.rule_removed": (
        ":wastebasket: Cerrada después de {duration}: la regla se eliminó de la configuración."
    ),
    # tormentas de alertas (un resumen para muchas alertas)
    "digest.header": "{icon} {count} alertas activas en {operations}",
    "digest.header_some": "{icon} {firing} de {count} alertas siguen activas en {operations}",
    "digest.header_resolved": "{icon} Las {count} alertas de {operations} están resueltas",
    "digest.member": "{icon} *{severity}* · {rule} · {operation}: {value}",
    "digest.member_resolved": "{icon} ~{rule} · {operation}~ resuelta después de {duration}",
    "digest.acked": ":eyes: {user}",
    "digest.silenced": ":zzz: hasta las {until}",
    "digest.hint": (
        "Las novedades de cada alerta van en este hilo. Reconozca o silencie una con "
        "`/calls ack` o `/calls silence` y el nombre de su regla."
    ),
    "digest.fallback": "{count} alertas activas en {operations}: {alerts}",
    "digest.fallback_resolved": "Las {count} alertas de {operations} están resueltas",
    "digest.note": "*{rule}* · {operation}: {note}",
    "digest.joined": ":heavy_plus_sign: Se sumó a este resumen: {value}",
    # actions
    "action.acknowledged": ":eyes: {user} reconoció *{rule}* ({operation}).",
    "action.already_acknowledged": "*{rule}* ({operation}) ya estaba reconocida.",
    "action.silenced": ":zzz: {user} silenció *{rule}* ({operation}) hasta las {until}.",
    "action.unsilenced": ":bell: {user} levantó el silencio de *{rule}* ({operation}).",
    "action.not_silenced": "*{rule}* ({operation}) no está silenciada.",
    "action.not_firing": "*{rule}* ({operation}) no está activa: no hay nada que reconocer.",
    "action.not_allowed": "Lo siento {user}, no puede cambiar *{rule}*.",
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
    # issue 12 (semántica de alertas): etiquetas de cada número, silencio, fuera de horario
    "threshold.after": "{severity} después de {value}",
    "threshold.recovered": "recuperada por debajo de {value}",
    "threshold.recovering": (
        "por debajo de {value}: {clears} de {needed} evaluaciones para resolverse"
    ),
    "alerts.age": "sin datos desde hace {value}; {threshold}",
    "alerts.bound": "{value} (límite inferior {bound})",
    "alerts.quiet": ":pause_button: no se puede juzgar ahora",
    "alerts.outside": ":crescent_moon: fuera del horario activo desde las {since}",
    "rules.age": "últimos datos hace {value}",
    "alert.quiet": (
        ":pause_button: {reason} Sigue activa desde las {since}: sin datos no se da por resuelta."
    ),
    "alert.outside_hours": (
        ":crescent_moon: Fuera del horario activo desde las {since}: sin recordatorios ni "
        "escalamientos hasta que vuelva a empezar."
    ),
    "alert.resolved_quiet": (
        ":white_check_mark: Resuelta a las {at} después de {duration}: nada que juzgar durante "
        "{quiet}; pico {peak}"
    ),
    "detail.too_few": "Muy pocas llamadas para juzgar: {count} de {minimum}.",
    "detail.opening": (
        "La ventana de {window} empieza en la apertura ({opened}): no se juzga antes de las {at}."
    ),
    "detail.holds": "{severity} hasta bajar de {recover}",
    "note.resolved_quiet": (
        ":white_check_mark: Resuelta después de {duration}: nada que juzgar durante {quiet}."
    ),
    # issue 12: el registro (silencios que terminan, historial)
    "action.silence_expired": (
        ":bell: El silencio que {user} puso en *{rule}* ({operation}) terminó a las {until}."
    ),
    "history.header": "Historial · {period} anteriores",
    "history.counts": "{incidents}, {silences}",
    "history.incidents.one": "{count} incidente",
    "history.incidents.other": "{count} incidentes",
    "history.silences.one": "{count} silencio",
    "history.silences.other": "{count} silencios",
    "history.none": "No pasó nada en {period}: ni incidentes ni silencios.",
    "history.incident": (
        "{icon} *{rule}* · {operation}: {severity} de {start} a {end} ({duration})"
    ),
    "history.incident_open": (
        "{icon} *{rule}* · {operation}: {severity} desde las {start}, sigue activa ({duration})"
    ),
    "history.peak": ", pico {peak}",
    "history.acked": " · :eyes: reconocida por {user} a las {at}",
    "history.silence": (
        ":zzz: *{rule}* · {operation}: silenciada por {user} a las {start} hasta las {until}"
    ),
    "history.silence_before": (
        ":zzz: *{rule}* · {operation}: silenciada por {user} hasta las {until}"
    ),
    "history.reason": " (“{reason}”)",
    "history.lifted": "; {user} levantó el silencio a las {at}",
    "history.expired": "; terminó a las {at}",
    "history.truncated": (
        "Solo se muestran las entradas más recientes; pida un periodo más corto o una regla."
    ),
    "usage.bad_period": "`{word}` no es un periodo que guarde; pruebe 24h o 7d (máximo {limit}).",
    "help.history": (
        "`/calls historial [&lt;regla&gt;] [&lt;operación&gt;] [24 horas|7 días]`: incidentes, "
        "reconocimientos y silencios, del más reciente al más antiguo."
    ),
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
    "backtest.change.order": "warning está por encima de critical",
    # issue 16: kind budget (un objetivo diario) y kind expected (lo habitual de una franja)
    "kinds.budget.matching": "que coinciden",
    "kinds.budget.day": "hoy {rate} {measure} de {calls} (objetivo {objective})",
    "kinds.budget.no_calls": "aún no hay llamadas hoy (objetivo {objective})",
    "kinds.budget.pace": "al ritmo de la última hora el día cierra en {projected}",
    "kinds.budget.spent_by": "presupuesto agotado hacia las {at}",
    "kinds.budget.spent": "el presupuesto del día ya se agotó",
    "kinds.budget.lasts": "el presupuesto alcanza para el día",
    "kinds.budget.burn": (
        "Consumiendo el presupuesto del día a {burn} el ritmo sostenible ({calls} llamadas); "
        "{severity} desde {threshold}"
    ),
    "kinds.expected.line": "{observed} en {window}; {slot} suele traer {expected}",
    "kinds.expected.slot": "un {day} a las {time}",
    "kinds.expected.chance": "(probabilidad menor que 1 en {odds})",
    "kinds.expected.no_history": (
        "Aún no hay historial suficiente para saber qué suele traer esta franja."
    ),
    "kinds.expected.small": (
        "Esta franja suele traer {expected} llamadas, muy pocas para juzgar (al menos {minimum})."
    ),
    "kinds.day.0": "lunes",
    "kinds.day.1": "martes",
    "kinds.day.2": "miércoles",
    "kinds.day.3": "jueves",
    "kinds.day.4": "viernes",
    "kinds.day.5": "sábado",
    "kinds.day.6": "domingo",
    "kind.budget": "presupuesto diario",
    "kind.expected": "conteo esperado",
    # issue 15: kind queue (una métrica de skills por cola o sobre un grupo de colas)
    "kind.queue": "cola",
    "backtest.queue_rule": (
        "*{rule}* es una regla de colas: lee la instantánea de skills de Wolkvox de cada "
        "momento (en espera, nivel de servicio), que el historial de llamadas no guarda, así "
        "que no se puede simular."
    ),
    "kinds.queue.service_level": "Nivel de servicio *{value}* en {queue}",
    "kinds.queue.waiting": "*{value}* en espera en {queue}",
    "kinds.queue.abandon_rate": "Abandono *{value}* en {queue}",
    "kinds.queue.calls": "({calls})",
    "kinds.queue.all": "todas las colas",
    "kinds.queue.also.one": "{count} cola más pasa el umbral",
    "kinds.queue.also.other": "{count} colas más pasan el umbral",
    "kinds.queue.held": (
        "No se pueden juzgar las colas ahora: no hay una instantánea reciente de skills de "
        "Wolkvox, o falta en ella una cola que la regla vigila."
    ),
    "kinds.day.weekday": "día hábil",
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
