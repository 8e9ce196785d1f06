terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}
variable "endpoint" { type = string }
variable "description" {
  type    = string
  default = "first"
}
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  endpoints {
    kms = var.endpoint
  }
}
data "aws_iam_policy_document" "key" {
  statement {
    sid       = "Root"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
  }
}
resource "aws_kms_key" "symmetric" {
  description             = var.description
  deletion_window_in_days = 7
  enable_key_rotation     = true
  rotation_period_in_days = 180
  policy                  = data.aws_iam_policy_document.key.json
  tags                    = { team = "platform" }
}
resource "aws_kms_key" "rsa" {
  description              = "rsa ${var.description}"
  customer_master_key_spec = "RSA_3072"
  key_usage                = "SIGN_VERIFY"
  deletion_window_in_days  = 7
}
resource "aws_kms_key" "ecc" {
  customer_master_key_spec = "ECC_NIST_P256"
  key_usage                = "SIGN_VERIFY"
  deletion_window_in_days  = 7
}
resource "aws_kms_key" "hmac" {
  customer_master_key_spec = "HMAC_256"
  key_usage                = "GENERATE_VERIFY_MAC"
  deletion_window_in_days  = 7
}
resource "aws_kms_key" "multi_region" {
  description             = "multi-Region"
  multi_region            = true
  deletion_window_in_days = 7
}
provider "aws" {
  alias                       = "west"
  region                      = "eu-west-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  endpoints {
    kms = var.endpoint
  }
}
resource "aws_kms_replica_key" "multi_region" {
  provider                = aws.west
  description             = "replica"
  primary_key_arn         = aws_kms_key.multi_region.arn
  deletion_window_in_days = 7
  tags                    = { region = "west" }
}
resource "aws_kms_alias" "symmetric" {
  name          = "alias/tf-symmetric"
  target_key_id = aws_kms_key.symmetric.key_id
}
resource "aws_kms_ciphertext" "secret" {
  key_id    = aws_kms_alias.symmetric.target_key_id
  plaintext = "terraform secret"
  context   = { purpose = "test" }
}
data "aws_kms_secrets" "secret" {
  secret {
    name    = "roundtrip"
    payload = aws_kms_ciphertext.secret.ciphertext_blob
    context = { purpose = "test" }
  }
}
output "roundtrip" {
  value     = data.aws_kms_secrets.secret.plaintext["roundtrip"]
  sensitive = true
}
