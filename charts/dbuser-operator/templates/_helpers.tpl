{{/* The labels every object carries; the selector of the pods. Fixed names, as in deploy/. */}}
{{- define "dbuser-operator.labels" -}}
app.kubernetes.io/name: dbuser-operator
{{- end -}}

{{- define "dbuser-operator.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* "true" where the requester stamp is installed: the policy is on and the API server serves
MutatingAdmissionPolicy v1 (Kubernetes 1.36+). helm install/upgrade read the cluster's kinds; helm
template knows only those given with --api-versions. */}}
{{- define "dbuser-operator.requesterStamp" -}}
{{- if and .Values.requesterPolicy.enabled (.Capabilities.APIVersions.Has "admissionregistration.k8s.io/v1/MutatingAdmissionPolicy") -}}
true
{{- end -}}
{{- end -}}

{{/* "true" where the finalizer at create is installed: the policy is on and the API server serves
MutatingAdmissionPolicy v1 (Kubernetes 1.36+), asked as for the requester stamp. */}}
{{- define "dbuser-operator.createFinalizer" -}}
{{- if and .Values.finalizerPolicy.enabled (.Capabilities.APIVersions.Has "admissionregistration.k8s.io/v1/MutatingAdmissionPolicy") -}}
true
{{- end -}}
{{- end -}}
