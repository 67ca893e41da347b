"""Spanish strings of alert messages, the twins of i18n_en_alerts.py. Part of `ES` (i18n_es.py)."""

from __future__ import annotations

ES_ALERTS: dict[str, str] = {
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
    "error.not_found": (
        "La dirección de Wolkvox respondió 404 (no encontrada): revise base_url y server"
    ),
    "error.token_busy": (
        "Una solicitud que Wolkvox quizá sigue atendiendo ocupa el token; se omitió la consulta"
    ),
    "error.not_lease_holder": (
        "No se envió: otra réplica consulta esta operación (tiene su concesión), o la última "
        "solicitud del titular anterior quizá sigue en curso"
    ),
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
    # issue 12 (semántica de alertas): etiquetas de cada número, silencio, fuera de horario
    "threshold.after": "{severity} después de {value}",
    "threshold.recovered": "recuperada por debajo de {value}",
    "threshold.recovering": (
        "por debajo de {value}: {clears} de {needed} evaluaciones para resolverse"
    ),
    "threshold.recovered_bound": "recuperada: límite inferior {bound} por debajo de {value}",
    "threshold.recovering_bound": (
        "límite inferior {bound} por debajo de {value}: {clears} de {needed} evaluaciones "
        "para resolverse"
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
    "history.unreadable.one": "{count} registro no se pudo leer y se omite.",
    "history.unreadable.other": "{count} registros no se pudieron leer y se omiten.",
    "history.truncated": (
        "Solo se muestran las entradas más recientes; pida un periodo más corto o una regla."
    ),
    "usage.bad_period": "`{word}` no es un periodo que guarde; pruebe 24h o 7d (máximo {limit}).",
    "help.history": (
        "`/calls historial [&lt;regla&gt;] [&lt;operación&gt;] [24 horas|7 días]`: incidentes, "
        "reconocimientos y silencios, del más reciente al más antiguo."
    ),
    # issue 16: kind budget (un objetivo diario) y kind expected (lo habitual de una franja)
    "kinds.budget.matching.one": "que coincide",
    "kinds.budget.matching.other": "que coinciden",
    "kinds.budget.day.one": "hoy {rate} {measure} de {calls} llamada (objetivo {objective})",
    "kinds.budget.day.other": "hoy {rate} {measure} de {calls} llamadas (objetivo {objective})",
    "kinds.budget.no_calls": "aún no hay llamadas hoy (objetivo {objective})",
    "kinds.budget.pace": "al ritmo de la última hora el día cierra en {projected}",
    "kinds.budget.spent_by": "presupuesto agotado hacia las {at}",
    "kinds.budget.spent": "el presupuesto del día ya se agotó",
    "kinds.budget.lasts": "el presupuesto alcanza para el día",
    "kinds.budget.burn.one": (
        "Consumiendo el presupuesto del día a {burn} el ritmo sostenible ({calls} llamada); "
        "{severity} desde {threshold}"
    ),
    "kinds.budget.burn.other": (
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
