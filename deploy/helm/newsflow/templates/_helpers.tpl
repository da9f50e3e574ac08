{{/*
Chart name, truncated to the 63 characters a DNS label allows.
*/}}
{{- define "newsflow.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name. A release name that already contains the chart name is used as is.
*/}}
{{- define "newsflow.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "newsflow.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "newsflow.namespace" -}}
{{- default .Release.Namespace .Values.namespaceOverride }}
{{- end }}

{{- define "newsflow.labels" -}}
helm.sh/chart: {{ include "newsflow.chart" . }}
{{ include "newsflow.selectorLabels" . }}
{{- with .Chart.AppVersion }}
app.kubernetes.io/version: {{ . | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: newsflow
{{- end }}

{{/*
Selector labels: never change them in an upgrade, Deployments cannot be re-selected.
*/}}
{{- define "newsflow.selectorLabels" -}}
app.kubernetes.io/name: {{ include "newsflow.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "newsflow.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "newsflow.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "newsflow.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
Where the Kafka TLS files are mounted. Outside /etc/newsflow: that directory is a ConfigMap
volume, and nested mounts into it are fragile.
*/}}
{{- define "newsflow.kafkaCaDir" -}}/etc/newsflow-tls/ca{{- end }}
{{- define "newsflow.kafkaClientDir" -}}/etc/newsflow-tls/client{{- end }}

{{/*
The newsflow YAML config: .Values.config with the chart-owned kafka fields laid over it.
Secrets are not in it; they come from env (see the Deployment).
*/}}
{{- define "newsflow.config" -}}
{{- $kafka := dict "bootstrap_servers" .Values.kafka.bootstrapServers "security_protocol" .Values.kafka.securityProtocol }}
{{- if hasPrefix "SASL" .Values.kafka.securityProtocol }}
{{- $_ := set $kafka "sasl_mechanism" .Values.kafka.sasl.mechanism }}
{{- if and .Values.kafka.sasl.username (not .Values.kafka.sasl.usernameKey) }}
{{- $_ := set $kafka "sasl_username" .Values.kafka.sasl.username }}
{{- end }}
{{- end }}
{{- $tls := .Values.kafka.tls }}
{{- if or $tls.ca.secretName $tls.ca.configMapName }}
{{- $_ := set $kafka "ssl_cafile" (printf "%s/%s" (include "newsflow.kafkaCaDir" .) $tls.ca.key) }}
{{- end }}
{{- if $tls.clientCert.secretName }}
{{- $_ := set $kafka "ssl_certfile" (printf "%s/%s" (include "newsflow.kafkaClientDir" .) $tls.clientCert.certKey) }}
{{- $_ := set $kafka "ssl_keyfile" (printf "%s/%s" (include "newsflow.kafkaClientDir" .) $tls.clientCert.keyKey) }}
{{- end }}
{{- $config := mustMergeOverwrite (deepCopy .Values.config) (dict "kafka" $kafka) }}
{{- toYaml $config }}
{{- end }}
