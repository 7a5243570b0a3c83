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

{{/* A shard's pods (ADR 25): a name of their own, so that no other Deployment, Service or
PodDisruptionBudget of the chart selects them. */}}
{{- define "dbuser-operator.shardLabels" -}}
app.kubernetes.io/name: dbuser-operator-{{ . }}
{{- end -}}

{{/* A Deployment of the operator: .root (the chart's context), .name, .labels (its pods' labels and
selector), .replicas and .shardEnv (the shard's settings). */}}
{{- define "dbuser-operator.deployment" -}}
{{- $r := .root -}}
{{- $labels := .labels -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .name }}
  namespace: {{ $r.Release.Namespace }}
  labels:
    {{- $labels | nindent 4 }}
spec:
  # One replica leads (reconciles), the others keep their caches warm and take over in ~15 s.
  replicas: {{ .replicas }}
  selector:
    matchLabels:
      {{- $labels | nindent 6 }}
  template:
    metadata:
      labels:
        {{- $labels | nindent 8 }}
    spec:
      serviceAccountName: dbuser-operator
      {{- with $r.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      # Longer than SHUTDOWN_TIMEOUT (20 s): in-flight reconciles finish and the lease is released.
      terminationGracePeriodSeconds: 30
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        seccompProfile:
          type: RuntimeDefault
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    {{- $labels | nindent 20 }}
      {{- with $r.Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $r.Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: operator
          image: {{ include "dbuser-operator.image" $r | quote }}
          imagePullPolicy: {{ $r.Values.image.pullPolicy }}
          env:
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
            - name: OPERATOR_NAMESPACE
              valueFrom:
                fieldRef:
                  fieldPath: metadata.namespace
            - name: LOG_LEVEL
              value: {{ $r.Values.logLevel | quote }}
            - name: RESYNC_INTERVAL
              value: {{ $r.Values.resyncInterval | quote }}
            - name: WORKERS
              value: {{ $r.Values.workers | quote }}
            - name: WORKERS_MAX
              value: {{ $r.Values.workersMax | quote }}
            - name: PG_MAX_CONNECTIONS_PER_SERVER
              value: {{ $r.Values.maxConnectionsPerServer | quote }}
            - name: PG_CONNECTION_WAIT
              value: {{ $r.Values.connectionWait | quote }}
            - name: PG_IDLE_TIMEOUT
              value: {{ $r.Values.connectionIdleTimeout | quote }}
            {{- with $r.Values.watchNamespaces }}
            - name: WATCH_NAMESPACES
              value: {{ join "," . | quote }}
            {{- end }}
            {{- with $r.Values.defaultConnectionSecret }}
            - name: DEFAULT_CONNECTION_SECRET
              value: {{ . | quote }}
            {{- end }}
            {{- range .shardEnv }}
            - name: {{ .name }}
              value: {{ .value | quote }}
            {{- end }}
            {{- with $r.Values.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          ports:
            - name: http
              containerPort: 8080
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 10
            failureThreshold: 3
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            periodSeconds: 5
          resources:
            {{- toYaml $r.Values.resources | nindent 12 }}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
{{- end -}}
