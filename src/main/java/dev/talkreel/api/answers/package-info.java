/**
 * The shapes of the API's JSON answers, for its OpenAPI document (GET /api/openapi.json): the REST DSL in
 * routes/api.camel.yaml names them as {@code responseModel}, and camel-openapi-java turns them into schemas. The
 * answers themselves are written by JobApi and Intake; ApiDocumentIT checks every documented status and schema
 * against real answers, so a change on either side that the other does not follow fails there.
 */
package dev.talkreel.api.answers;
