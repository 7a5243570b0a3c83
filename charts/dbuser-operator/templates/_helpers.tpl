{{/* The labels every object carries; the selector of the pods. Fixed names, as in deploy/. */}}
{{- define "dbuser-operator.labels" -}}
app.kubernetes.io/name: dbuser-operator
{{- end -}}

{{- define "dbuser-operator.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
